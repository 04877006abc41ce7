"""The services behind the forms, called directly with generated values the forms would
have stopped: each either does its work or refuses with its app's own error, and a refusal
leaves every table as it was (no half-made offer, programme, session or goal).

Free text comes as the API, the sockets and the commands may send it: with NUL characters and
lone surrogates (which PostgreSQL cannot store), and just past the longest its field holds.
Each service stores it cleaned, or refuses it with its own error when it is too long; it
never cuts it short quietly, and never leaves a row SQLite would keep and PostgreSQL refuse.
"""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from forums import services as forums
from guides import services as guides
from incentives import services as incentive_services
from mentoring.services import exports, goals, offers, pairings, sessions
from network import services as network
from network.models import Membership
from tests.hostile import strategies as hostile
from tests.hostile.rows import rolled_back, row_counts, unstorable_text
from tests.reporting import report

pytestmark = pytest.mark.django_db

DOMAIN_ERRORS = (DomainError,)
EXAMPLES = 25
EXAMPLE_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)

# Values of the right Python type, and anything within them.
counts = st.integers(min_value=-5, max_value=100_000)
years = st.integers(min_value=1, max_value=9999)
dates = st.dates()
money = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9, min_value=-10),
    st.sampled_from([Decimal("0"), Decimal("0.001"), Decimal("1E+3")]),
)
text = st.one_of(hostile.text(100), st.text(max_size=30)).map(lambda s: s[:100])
labels = st.lists(text.map(lambda s: s[:50]), max_size=8)  # topics, tags: 50 characters
# The lengths model fields hold: text at one of them, or just past it.
LIMITS = (50, 100, 120, 150, 200, 300, 500, 600, 1000, 2000, 4000, 10_000, 20_000, 50_000)
free_text = st.one_of(
    text,
    st.sampled_from(["\x00", "a\x00b", " \x00 ", "x\ud800y", "\udfff"]),
    st.sampled_from(LIMITS).map(lambda n: "é" * n),
    st.sampled_from(LIMITS).map(lambda n: "x" * (n + 1)),
)
free_labels = st.lists(st.one_of(text, free_text.map(lambda s: s[:60])), max_size=12)
codes = st.lists(hostile.hs_codes().map(lambda s: s.replace("\x00", "")), max_size=12)
country = hostile.country().map(lambda s: s.replace("\x00", ""))
countries = st.lists(country, max_size=12)
languages = st.lists(st.sampled_from(["es", "pt", "en", "fr", "xx", "", "ES"]), max_size=5)
zones = hostile.time_zone()


def _check(call, *, too_long: bool = False, setup=None) -> str:
    """Run `call` in a rolled-back savepoint, after `setup` if any; a refusal must have
    written nothing, and what was done must be storable. `too_long`: some text is longer
    than its field holds."""
    with rolled_back():
        if setup is not None:
            setup()
        before = row_counts()
        try:
            call()
        except DOMAIN_ERRORS:
            assert row_counts() == before, "refused, yet rows were written"
            return "refused"
        assert not too_long, "text longer than its field was accepted (cut short, or kept)"
        assert unstorable_text() == [], "stored text PostgreSQL would refuse"
    return "done"


def _setup(case: tuple):
    return case[2] if len(case) > 2 else None


def _over(limit: int, *values: str) -> bool:
    """Longer than `limit` once cleaned as the services clean text."""
    return any(len(value.replace("\x00", "").strip()) > limit for value in values)


def _run(test) -> None:
    outcomes_seen = []
    test(outcomes_seen)
    report("hostile inputs tried", len(outcomes_seen))
    report("hostile inputs rendered or refused harmlessly", len(outcomes_seen))


def test_mentor_offers_and_needs(world):
    side = world.a

    @EXAMPLE_SETTINGS
    @given(
        capacity=counts,
        products=codes,
        markets=countries,
        langs=languages,
        topics=labels,
        pitch=text,
        stage=st.sampled_from(["exporting", "starting", "", "x"]),
    )
    def offer_and_needs(seen, capacity, products, markets, langs, topics, pitch, stage):
        seen.append(
            _check(
                lambda: offers.save_offer(
                    user=side.mentor,
                    cluster=side.cluster,
                    capacity=capacity,
                    products=products,
                    markets=markets,
                    languages=langs,
                    topics=topics,
                    pitch=pitch,
                )
            )
        )
        seen.append(
            _check(
                lambda: offers.save_needs(
                    user=side.newcomer,
                    products=products,
                    markets=markets,
                    languages=langs,
                    topics=topics,
                    stage=stage,
                    note=pitch,
                )
            )
        )

    _run(offer_and_needs)


def test_goals_exports_and_sessions(world):
    side = world.a

    @EXAMPLE_SETTINGS
    @given(
        title=text,
        year=years,
        code=hostile.hs_codes().map(lambda s: s.replace("\x00", "")),
        country=country,
        due=st.one_of(st.none(), dates),
        start=st.datetimes(),
        zone=zones,
        minutes=counts,
        band=st.sampled_from(["lt1m", "x", ""]),
        outcome=st.sampled_from(["entry", "diversification", "survival", "x"]),
    )
    def plan(seen, title, year, code, country, due, start, zone, minutes, band, outcome):
        follower = side.follower
        seen.append(
            _check(
                lambda: goals.add_goal(
                    pairing=side.pairing,
                    by=follower,
                    outcome=outcome,
                    title=title,
                    year=year,
                    hs_code=code,
                    market=country,
                    due_date=due,
                )
            )
        )
        seen.append(
            _check(
                lambda: exports.record_export(
                    organization=follower.profile.organization,
                    by=follower,
                    year=year,
                    hs_code=code,
                    country=country,
                    value_band=band,
                )
            )
        )
        seen.append(
            _check(
                lambda: sessions.schedule_session(
                    by=side.mentor,
                    pairing=side.pairing,
                    title=title,
                    local_start=start,
                    time_zone=zone,
                    duration_minutes=minutes,
                    agenda=title,
                )
            )
        )

    _run(plan)


def test_programmes_rules_and_budgets(world):
    side = world.a

    @EXAMPLE_SETTINGS
    @given(
        name=text,
        starts=dates,
        ends=dates,
        unit=st.sampled_from(["USD", "hours", "credits", "", "EUR"]),
        budget=money,
        cap=st.one_of(st.none(), money),
        kind=st.sampled_from(["session_held", "useful_post", "guide_published", "x"]),
        confirmer=st.sampled_from(["counterpart", "coordinator", "none", "x"]),
        attendees=counts,
    )
    def fund(seen, name, starts, ends, unit, budget, cap, kind, confirmer, attendees):
        seen.append(
            _check(
                lambda: incentive_services.create_programme(
                    by=side.officer,
                    name=name,
                    clusters=[side.cluster],
                    starts_on=starts,
                    ends_on=ends,
                    unit=unit,
                    budget=budget,
                    cap_per_member_month=cap,
                    cap_per_pair_month=cap,
                )
            )
        )
        seen.append(
            _check(
                lambda: incentive_services.set_rule(
                    programme=side.programme,
                    by=side.officer,
                    kind=kind,
                    amount=budget,
                    confirmer=confirmer,
                    min_attendees=attendees,
                )
            )
        )
        seen.append(
            _check(
                lambda: incentive_services.add_budget(
                    programme=side.programme, by=side.officer, amount=budget
                )
            )
        )

    _run(fund)


def test_profiles_organizations_topics_and_guides(world):
    side = world.a

    @EXAMPLE_SETTINGS
    @given(
        name=text,
        langs=languages,
        zone=zones,
        expertise=labels,
        country=country,
        first_year=st.one_of(st.none(), years),
        website=hostile.url(),
        exported=codes,
        planned=codes,
        markets=countries,
        body=st.one_of(text, st.sampled_from(hostile.CORPUS).map(lambda s: s.replace("\x00", ""))),
    )
    def describe(
        seen, name, langs, zone, expertise, country, first_year, website, exported, planned,
        markets, body,
    ):  # fmt: skip
        profile = side.follower.profile
        seen.append(
            _check(
                lambda: network.update_profile(
                    profile=profile,
                    display_name=name,
                    languages=langs,
                    time_zone=zone,
                    bio=body,
                    expertise=expertise,
                )
            )
        )
        seen.append(
            _check(
                lambda: network.save_organization(
                    profile=profile,
                    organization=profile.organization,
                    name=name,
                    kind="firm",
                    country=country,
                    first_export_year=first_year,
                    website=website,
                    exported_codes=exported,
                    planned_codes=planned,
                    markets=markets,
                )
            )
        )
        seen.append(
            _check(
                lambda: forums.start_topic(
                    room=side.room, author=side.follower, title=name, body=body, tags=expertise
                )
            )
        )
        seen.append(
            _check(
                lambda: guides.create_guide(
                    cluster_id=side.cluster.pk,
                    by=side.mentor,
                    title=name,
                    summary=name,
                    body=body,
                    language=langs[0] if langs else "",
                    products=exported,
                    markets=markets,
                    topics=expertise,
                )
            )
        )

    _run(describe)


def test_an_agency_observer_writes_nothing_in_the_forum_whatever_it_sends(world):
    """Called directly, as a socket or a script would: every write is refused, every time,
    and nothing is written (an observer reads and follows; writing needs a member role)."""
    side = world.a

    @EXAMPLE_SETTINGS
    @given(title=text, body=st.one_of(text, st.sampled_from(hostile.CORPUS)), tags=labels)
    def write(seen, title, body, tags):
        observer = side.observer
        for call in (
            lambda: forums.start_topic(
                room=side.room, author=observer, title=title, body=body, tags=tags
            ),
            lambda: forums.post_reply(topic=side.topic, author=observer, body=body),
            lambda: forums.mark_helpful(post=side.answer, by=observer),
            lambda: forums.accept_answer(post=side.reply, by=observer),
        ):
            outcome = _check(call)
            assert outcome == "refused", "an observer wrote in the forum"
            seen.append(outcome)


def test_forum_writes_take_free_text_from_any_edge(world):
    side = world.a

    @EXAMPLE_SETTINGS
    @given(title=free_text, body=free_text, reason=free_text, tags=free_labels)
    def write(seen, title, body, reason, tags):
        check = [
            (
                lambda: forums.start_topic(
                    room=side.room, author=side.follower, title=title, body=body, tags=tags
                ),
                _over(200, title) or _over(20_000, body),
            ),
            (
                lambda: forums.post_reply(topic=side.topic, author=side.follower, body=body),
                _over(20_000, body),
            ),
            (
                lambda: forums.edit_post(post=side.question, by=side.follower, body=body),
                _over(20_000, body),
            ),
            (
                lambda: forums.hide_post(post=side.reply, by=side.coordinator, reason=reason),
                _over(300, reason),
            ),
            (
                lambda: forums.open_conversation(
                    cluster=side.cluster, by=side.mentor, participants=[side.follower], title=title
                ),
                _over(200, title),
            ),
            (
                lambda: forums.announce(
                    cluster=side.cluster, by=side.coordinator, title=title, body=body
                ),
                _over(200, title) or _over(20_000, body),
            ),
        ]
        seen.extend(_check(*case[:1], too_long=case[1], setup=_setup(case)) for case in check)

    _run(write)


def _make_public(cluster) -> None:
    type(cluster).objects.filter(pk=cluster.pk).update(visibility="public")
    cluster.refresh_from_db()


def test_network_writes_take_free_text_from_any_edge(world):
    side = world.a

    @EXAMPLE_SETTINGS
    @given(name=free_text, long=free_text, reason=free_text, expertise=free_labels)
    def write(seen, name, long, reason, expertise):
        profile = side.follower.profile
        applicant = Membership.objects.get(user=side.applicant, cluster=side.cluster)
        mentor = Membership.objects.get(user=side.mentor, cluster=side.cluster)
        check = [
            (
                lambda: network.create_cluster(
                    creator=world.outsider,
                    name=name,
                    sector="coffee",
                    country="CO",
                    region=name,
                    description=long,
                ),
                _over(150, name) or _over(4000, long),
            ),
            (
                lambda: (
                    _make_public(side.cluster),
                    network.request_to_join(
                        cluster=side.cluster, user=world.outsider, role="follower", message=long
                    ),
                ),
                _over(1000, long),
            ),
            (
                lambda: network.decline_request(
                    membership=applicant, by=side.coordinator, reason=reason
                ),
                _over(300, reason),
            ),
            (
                lambda: network.suspend_member(
                    membership=mentor, by=side.coordinator, reason=reason
                ),
                _over(300, reason),
            ),
            (
                lambda: network.invite_member(
                    cluster=side.cluster, by=side.coordinator, email=name, role="follower"
                ),
                _over(254, name),
            ),
            (
                lambda: network.update_profile(
                    profile=profile,
                    display_name=name,
                    languages=["es"],
                    time_zone="UTC",
                    bio=long,
                    expertise=expertise,
                ),
                _over(120, name) or _over(1000, long),
            ),
            (
                lambda: network.save_organization(
                    profile=profile,
                    organization=profile.organization,
                    name=name,
                    kind="firm",
                    country="CO",
                    website=reason,
                ),
                _over(200, name) or _over(200, reason),
            ),
        ]
        seen.extend(_check(*case[:1], too_long=case[1], setup=_setup(case)) for case in check)

    _run(write)


def test_mentoring_writes_take_free_text_from_any_edge(world):
    side = world.a

    @EXAMPLE_SETTINGS
    @given(short=free_text, long=free_text, topics=free_labels)
    def write(seen, short, long, topics):
        later = datetime.datetime.now() + datetime.timedelta(days=30)

        requested = []

        def request():
            requested[:] = [pairings.request_mentor(follower=side.newcomer, offer=side.offer)]

        def decline():
            pairings.decline_pairing(pairing=requested[0], by=side.mentor, reason=short)

        check = [
            (
                lambda: offers.save_offer(
                    user=side.mentor, cluster=side.cluster, capacity=3, topics=topics, pitch=long
                ),
                _over(1000, long),
            ),
            (
                lambda: offers.save_needs(user=side.newcomer, topics=topics, note=long),
                _over(1000, long),
            ),
            (
                lambda: pairings.request_mentor(
                    follower=side.newcomer, offer=side.offer, message=long
                ),
                _over(2000, long),
            ),
            (decline, _over(500, short), request),
            (
                lambda: pairings.end_pairing(pairing=side.pairing, by=side.follower, reason=short),
                _over(500, short),
            ),
            (
                lambda: sessions.schedule_session(
                    by=side.mentor,
                    pairing=side.pairing,
                    title=short,
                    local_start=later,
                    time_zone="UTC",
                    duration_minutes=60,
                    agenda=long,
                    place=short,
                ),
                _over(200, short) or _over(4000, long),
            ),
            (
                lambda: sessions.cancel_session(
                    session=side.group_session, by=side.coordinator, reason=short
                ),
                _over(500, short),
            ),
            (
                lambda: sessions.save_notes(session=side.session, by=side.mentor, notes=long),
                _over(10_000, long),
            ),
            (
                lambda: sessions.confirm_session(
                    session=side.past_session,
                    follower=side.follower,
                    took_place=True,
                    comment=long,
                ),
                _over(2000, long),
            ),
            (
                lambda: goals.add_milestone(goal=side.goal, by=side.follower, title=short),
                _over(200, short),
            ),
        ]
        seen.extend(_check(*case[:1], too_long=case[1], setup=_setup(case)) for case in check)

    _run(write)


def test_guide_writes_take_free_text_from_any_edge(world):
    side = world.a

    @EXAMPLE_SETTINGS
    @given(title=free_text, summary=free_text, body=free_text, note=free_text)
    def write(seen, title, summary, body, note):
        def in_review():
            guides.submit_for_review(guide=side.draft, by=side.mentor)

        check = [
            (
                lambda: guides.update_draft(
                    guide=side.draft,
                    by=side.mentor,
                    title=title,
                    summary=summary,
                    body=body,
                    language="es",
                    products=[],
                    markets=[],
                    topics=[],
                ),
                _over(200, title) or _over(600, summary) or _over(50_000, body),
            ),
            (
                lambda: guides.submit_for_review(guide=side.draft, by=side.mentor, note=note),
                _over(4000, note),
            ),
            (
                lambda: guides.comment(guide=side.draft, by=side.mentor, text=body),
                _over(4000, body),
            ),
            (
                lambda: guides.return_to_authors(guide=side.draft, by=side.coordinator, note=note),
                _over(4000, note),
                in_review,
            ),
            (
                lambda: guides.publish(guide=side.draft, by=side.coordinator, note=note),
                _over(500, note),
                in_review,
            ),
            (
                lambda: guides.confirm_current(guide=side.guide, by=side.coordinator, note=note),
                _over(4000, note),
            ),
            (
                lambda: guides.flag_for_review(guide=side.guide, by=side.coordinator, note=note),
                _over(4000, note),
            ),
            (
                lambda: guides.archive(guide=side.guide, by=side.coordinator, note=note),
                _over(4000, note),
            ),
            (
                lambda: guides.suggest_correction(guide=side.guide, by=side.follower, text=body),
                _over(2000, body),
            ),
        ]
        seen.extend(_check(*case[:1], too_long=case[1], setup=_setup(case)) for case in check)

    _run(write)


def test_incentive_writes_take_free_text_from_any_edge(world):
    side = world.a

    @EXAMPLE_SETTINGS
    @given(name=free_text, reason=free_text)
    def write(seen, name, reason):
        today = datetime.date.today()
        check = [
            (
                lambda: incentive_services.create_programme(
                    by=side.officer,
                    name=name,
                    clusters=[side.cluster],
                    starts_on=today,
                    ends_on=today + datetime.timedelta(days=90),
                    unit="USD",
                    budget=Decimal("100"),
                ),
                _over(200, name),
            ),
            (
                lambda: incentive_services.issue_api_key(by=side.officer, name=name),
                _over(100, name),
            ),
            (
                lambda: incentive_services.pay(
                    programme=side.programme,
                    member=side.mentor,
                    month=today.replace(day=1),
                    reference=name,
                    by=side.officer,
                ),
                _over(120, name),
            ),
            (
                lambda: incentive_services.reject_contribution(
                    contribution=side.review, by=side.coordinator, reason=reason
                ),
                _over(300, reason),
            ),
            (
                lambda: incentive_services.reverse_credit(
                    contribution=side.credited, by=side.officer, reason=reason
                ),
                _over(300, reason),
            ),
        ]
        seen.extend(_check(*case[:1], too_long=case[1], setup=_setup(case)) for case in check)

    _run(write)
