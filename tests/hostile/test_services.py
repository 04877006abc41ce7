"""The services behind the forms, called directly with generated values the forms would
have stopped: each either does its work or refuses with its app's own error, and a refusal
leaves every table as it was (no half-made offer, programme, session or goal)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forums import services as forums
from guides import services as guides
from incentives import programmes
from incentives.errors import IncentiveError
from mentoring import outcomes, sessions
from mentoring import services as mentoring
from network import services as network
from tests.hostile import strategies as hostile
from tests.hostile.rows import rolled_back, row_counts
from tests.reporting import report

pytestmark = pytest.mark.django_db

DOMAIN_ERRORS = (
    forums.ForumError,
    guides.GuideError,
    IncentiveError,
    mentoring.MentoringError,
    network.NetworkError,
)
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
# Without NUL: the forms refuse it before any service (Django's CharField does), and the
# edges without a form (the forum socket and API) go through forums' _clean_body, which drops
# it; tests/hostile/test_sockets.py holds that.
# Within the lengths the forms hold: services trust them for that (PostgreSQL enforces
# varchar lengths, SQLite does not), and tests/hostile/test_forms.py posts longer text.
text = st.one_of(hostile.text(100), st.text(max_size=30)).map(
    lambda s: s.replace("\x00", "")[:100]
)
labels = st.lists(text.map(lambda s: s[:50]), max_size=8)  # topics, tags: 50 characters
codes = st.lists(hostile.hs_codes().map(lambda s: s.replace("\x00", "")), max_size=12)
country = hostile.country().map(lambda s: s.replace("\x00", ""))
countries = st.lists(country, max_size=12)
languages = st.lists(st.sampled_from(["es", "pt", "en", "fr", "xx", "", "ES"]), max_size=5)
zones = hostile.time_zone()


def _check(call) -> str:
    """Run `call` in a rolled-back savepoint; a refusal must have written nothing."""
    with rolled_back():
        before = row_counts()
        try:
            call()
        except DOMAIN_ERRORS:
            assert row_counts() == before, "refused, yet rows were written"
            return "refused"
    return "done"


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
                lambda: mentoring.save_offer(
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
                lambda: mentoring.save_needs(
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
                lambda: outcomes.add_goal(
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
                lambda: outcomes.record_export(
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
                lambda: programmes.create_programme(
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
                lambda: programmes.set_rule(
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
                lambda: programmes.add_budget(
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

    _run(write)
