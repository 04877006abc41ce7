"""Crediting rules, caps and budget on hand-built cases; what is refused and why."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.errors import DomainError, NotAllowed
from incentives import selectors, services
from incentives.models import Contribution, LedgerEntry, Programme, RuleChange
from tests.factories import OrganizationFactory, add_member, make_cluster
from tests.incentives.conftest import build, member_of

Status = Contribution.Status
D = Decimal


def session(setting, n, *, follower=None, confirmed=True, when=None):
    follower = follower or setting.follower
    return services.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=follower,
        cluster=setting.cluster,
        source=f"mentoring.session:{n}",
        confirmed_by=follower if confirmed else None,
        occurred_at=when,
        hours=1,
    )


def balance(setting, who) -> Decimal:
    return selectors.member_balance(setting.programme, who)


def test_a_confirmed_session_is_credited_once_into_the_ledger(setting):
    contribution = session(setting, 1)
    assert (contribution.status, contribution.amount) == (Status.CREDITED, D("50"))
    assert balance(setting, setting.mentor) == D("50")
    assert selectors.budget_left(setting.programme) == D("950")
    # The same session reported and confirmed again: still one contribution, one credit.
    again = session(setting, 1)
    assert again.pk == contribution.pk
    assert LedgerEntry.objects.filter(kind="credit").count() == 1
    assert balance(setting, setting.mentor) == D("50")


def test_an_unconfirmed_session_waits_for_the_person_helped(setting):
    contribution = session(setting, 1, confirmed=False)
    assert contribution.status == Status.PENDING and balance(setting, setting.mentor) == 0
    with pytest.raises(NotAllowed):
        services.confirm_contribution(contribution=contribution, by=setting.mentor)
    with pytest.raises(NotAllowed):
        services.confirm_contribution(contribution=contribution, by=setting.other_follower)
    services.confirm_contribution(contribution=contribution, by=setting.follower)
    contribution.refresh_from_db()
    assert contribution.status == Status.CREDITED
    with pytest.raises(DomainError, match="already decided"):
        services.confirm_contribution(contribution=contribution, by=setting.follower)
    assert LedgerEntry.objects.filter(kind="credit").count() == 1


def test_no_credit_between_people_of_the_same_organization(setting):
    profile = setting.follower.profile
    profile.organization = setting.mentor.profile.organization
    profile.save()
    contribution = session(setting, 1)
    assert contribution.status == Status.REJECTED
    assert "same organization" in contribution.reason
    assert not LedgerEntry.objects.filter(kind="credit").exists()


def test_the_monthly_cap_per_member_caps_then_rejects(db):
    setting = build(member_cap="120")
    followers = [setting.follower, setting.other_follower]
    results = [session(setting, n, follower=followers[n % 2]) for n in range(4)]
    assert [(c.status, c.amount) for c in results] == [
        (Status.CREDITED, D("50")),
        (Status.CREDITED, D("50")),
        (Status.CAPPED, D("20")),
        (Status.REJECTED, D("0")),
    ]
    assert "monthly cap per member" in results[2].reason
    assert "monthly cap per member" in results[3].reason
    assert balance(setting, setting.mentor) == D("120")


def test_the_cap_per_pair_leaves_room_for_other_followers(db):
    setting = build(pair_cap="60")
    first, second = session(setting, 1), session(setting, 2)
    third = session(setting, 3, follower=setting.other_follower)
    assert [(c.status, c.amount) for c in (first, second, third)] == [
        (Status.CREDITED, D("50")),
        (Status.CAPPED, D("10")),
        (Status.CREDITED, D("50")),
    ]
    assert "cap per pair" in second.reason


def test_caps_start_again_the_next_month(db):
    setting = build(member_cap="50")
    last_month = timezone.now() - datetime.timedelta(days=35)
    assert session(setting, 1, when=last_month).status == Status.CREDITED
    assert session(setting, 2).status == Status.CREDITED
    assert session(setting, 3).status == Status.REJECTED


def test_the_budget_is_never_exceeded(db):
    setting = build(budget="120")
    followers = [setting.follower, setting.other_follower]
    results = [session(setting, n, follower=followers[n % 2]) for n in range(4)]
    assert [c.amount for c in results] == [D("50"), D("50"), D("20"), D("0")]
    assert "budget is used up" in results[3].reason
    assert selectors.budget_left(setting.programme) == 0


def test_a_group_session_needs_its_confirmed_attendees(setting):
    report = dict(
        kind="group_session",
        actor=setting.coordinator,
        cluster=setting.cluster,
        source="mentoring.session:77",
        hours=2,
    )
    assert services.record_contribution(**report, attendees=2).status == Status.PENDING
    contribution = services.record_contribution(**report, attendees=3)
    assert (contribution.status, contribution.amount) == (Status.CREDITED, D("80"))


def test_a_coordinator_confirms_what_the_rule_gives_them(setting):
    report = dict(
        kind="useful_post", actor=setting.mentor, cluster=setting.cluster, source="forums.post:5"
    )
    contribution = services.record_contribution(**report)
    assert contribution.status == Status.PENDING
    with pytest.raises(NotAllowed):
        services.approve_contribution(contribution=contribution, by=setting.follower)
    services.approve_contribution(contribution=contribution, by=setting.coordinator)
    contribution.refresh_from_db()
    assert (contribution.status, contribution.amount) == (Status.CREDITED, D("5"))


def test_nothing_is_recorded_where_no_programme_rewards_it(setting):
    elsewhere = make_cluster()
    assert (
        services.record_contribution(
            kind="session_held",
            actor=setting.mentor,
            counterpart=setting.follower,
            cluster=elsewhere,
            source="mentoring.session:9",
            confirmed_by=setting.follower,
        )
        is None
    )
    outside_period = timezone.now() + datetime.timedelta(days=500)
    assert session(setting, 10, when=outside_period) is None
    assert not Contribution.objects.exists()


def test_reciprocal_pairs_are_held_for_review_with_the_reason(setting):
    # The mentor and follower earn only from each other, one way then the other.
    assert session(setting, 1).status == Status.CREDITED
    back = services.record_contribution(
        kind="accepted_answer",
        actor=setting.follower,
        counterpart=setting.mentor,
        cluster=setting.cluster,
        source="forums.post:1",
        confirmed_by=setting.mentor,
    )
    assert back.status == Status.REVIEW
    assert back.flags == [{"code": "reciprocal"}]
    with pytest.raises(DomainError, match="Say why"):
        services.reject_contribution(contribution=back, by=setting.coordinator, reason=" ")
    services.reject_contribution(contribution=back, by=setting.coordinator, reason="Intercambio")
    back.refresh_from_db()
    assert back.status == Status.REJECTED and back.reason == "Intercambio"


def test_a_burst_is_held_and_a_coordinator_may_credit_it(setting):
    followers = [setting.follower, setting.other_follower]
    results = [session(setting, n, follower=followers[n % 2]) for n in range(5)]
    assert [c.status for c in results[:4]] == [Status.CREDITED] * 4
    assert results[4].status == Status.REVIEW
    assert results[4].flags[0]["code"] == "burst"
    services.approve_contribution(contribution=results[4], by=setting.coordinator)
    results[4].refresh_from_db()
    assert results[4].status == Status.CREDITED


def test_a_reversal_is_a_new_entry_and_frees_the_cap(db):
    setting = build(member_cap="50")
    contribution = session(setting, 1)
    with pytest.raises(NotAllowed):
        services.reverse_credit(contribution=contribution, by=setting.coordinator, reason="x")
    entry = services.reverse_credit(
        contribution=contribution, by=setting.officer, reason="Duplicada"
    )
    assert entry.kind == "reversal" and entry.reverses.contribution == contribution
    assert balance(setting, setting.mentor) == 0
    assert LedgerEntry.objects.count() == 3  # funding, credit, reversal: nothing rewritten
    with pytest.raises(DomainError):
        services.reverse_credit(contribution=contribution, by=setting.officer, reason="again")
    assert session(setting, 2).status == Status.CREDITED


def coordinator_rule(setting, kind, *, attendees=0, amount="5"):
    services.set_rule(
        programme=setting.programme,
        by=setting.officer,
        kind=kind,
        amount=D(amount),
        confirmer="coordinator",
        min_attendees=attendees,
    )


def useful_post(setting, n, *, actor=None, confirmed_by=None):
    return services.record_contribution(
        kind="useful_post",
        actor=actor or setting.mentor,
        cluster=setting.cluster,
        source=f"forums.post:{n}",
        confirmed_by=confirmed_by,
    )


def test_a_confirmation_after_the_rule_is_switched_off_still_settles_what_was_reported(setting):
    pending = session(setting, 1, confirmed=False)
    services.set_rule(
        programme=setting.programme,
        by=setting.officer,
        kind="session_held",
        amount=D("50"),
        confirmer="counterpart",
        is_active=False,
    )
    # Mentoring reports the session again with the follower's confirmation.
    confirmed = session(setting, 1)
    assert confirmed is not None and confirmed.pk == pending.pk
    assert (confirmed.status, confirmed.amount) == (Status.CREDITED, D("50"))


def test_a_later_report_is_settled_in_the_programme_that_took_the_first(setting):
    pending = session(setting, 1, confirmed=False)
    services.set_rule(
        programme=setting.programme,
        by=setting.officer,
        kind="session_held",
        amount=D("50"),
        confirmer="counterpart",
        is_active=False,
    )
    today = datetime.date.today()
    newer = services.create_programme(
        by=setting.officer,
        name="Otro programa",
        clusters=[setting.cluster],
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=10),
        unit="points",
        budget=D("300"),
    )
    services.set_rule(
        programme=newer,
        by=setting.officer,
        kind="session_held",
        amount=D("99"),
        confirmer="counterpart",
    )
    confirmed = session(setting, 1)
    assert confirmed.pk == pending.pk and confirmed.programme == setting.programme
    credit = LedgerEntry.objects.get(kind="credit")
    assert credit.programme == setting.programme and credit.amount == D("50")
    assert selectors.budget_left(newer) == D("300")
    assert selectors.reconcile() == []


def test_nobody_is_credited_for_helping_themselves(setting):
    profile = setting.mentor.profile
    profile.organization = None
    profile.save()
    contribution = session(setting, 1, follower=setting.mentor)
    assert contribution.status == Status.REJECTED
    assert contribution.reason == "No credit for helping oneself."
    assert not LedgerEntry.objects.filter(kind="credit").exists()


def test_a_coordinator_does_not_credit_a_colleague_from_their_organization(setting):
    coordinator_rule(setting, "useful_post")
    profile = setting.coordinator.profile
    profile.organization = setting.mentor.profile.organization
    profile.save()
    contribution = useful_post(setting, 1, confirmed_by=setting.coordinator)
    assert contribution.status == Status.PENDING and contribution.confirmed_at is None
    with pytest.raises(NotAllowed, match="colleague"):
        services.approve_contribution(contribution=contribution, by=setting.coordinator)
    contribution.refresh_from_db()
    assert contribution.status == Status.PENDING
    # Another coordinator of the cluster, from elsewhere, decides.
    other = member_of(OrganizationFactory(), "Otro")
    add_member(setting.cluster, other, role="coordinator")
    services.approve_contribution(contribution=contribution, by=other)
    contribution.refresh_from_db()
    assert (contribution.status, contribution.confirmed_by) == (Status.CREDITED, other)


def test_a_coordinator_does_not_decide_on_a_credit_they_are_party_to(setting):
    followers = [setting.follower, setting.other_follower]
    for n in range(4):
        session(setting, n, follower=followers[n % 2])
    held = session(setting, 4, follower=setting.coordinator)
    assert held.status == Status.REVIEW  # a burst
    with pytest.raises(NotAllowed):
        services.approve_contribution(contribution=held, by=setting.coordinator)
    held.refresh_from_db()
    assert held.status == Status.REVIEW and balance(setting, setting.mentor) == D("200")


def test_a_coordinator_cannot_credit_a_group_session_short_of_its_attendees(setting):
    coordinator_rule(setting, "group_session", attendees=3, amount="80")
    report = dict(
        kind="group_session",
        actor=setting.mentor,
        cluster=setting.cluster,
        source="mentoring.session:88",
    )
    contribution = services.record_contribution(**report, attendees=1)
    with pytest.raises(DomainError, match="3 confirmed attendees; 1 confirmed so far"):
        services.approve_contribution(contribution=contribution, by=setting.coordinator)
    contribution.refresh_from_db()
    assert (
        contribution.status == Status.PENDING
        and not LedgerEntry.objects.filter(kind="credit").exists()
    )
    services.record_contribution(**report, attendees=3)
    services.approve_contribution(contribution=contribution, by=setting.coordinator)
    contribution.refresh_from_db()
    assert (contribution.status, contribution.amount) == (Status.CREDITED, D("80"))


def test_what_nobody_else_takes_part_in_is_confirmed_by_a_coordinator(setting):
    for kind in ("useful_post", "guide_published"):
        with pytest.raises(DomainError, match="a coordinator confirms it"):
            services.set_rule(
                programme=setting.programme,
                by=setting.officer,
                kind=kind,
                amount=D("5"),
                confirmer="counterpart",
            )
    assert setting.programme.rules.get(kind="useful_post").confirmer == "coordinator"
    assert not setting.programme.rules.filter(kind="guide_published").exists()


@pytest.mark.parametrize(
    "amount, message",
    [
        (D("0.001"), "at most two decimals"),
        (D("-1"), "more than zero"),
        (D("1e15"), "too large"),
        (D("NaN"), "more than zero"),
    ],
)
def test_amounts_are_checked_by_the_services_and_nothing_changes(setting, amount, message):
    with pytest.raises(DomainError, match=message):
        services.set_rule(
            programme=setting.programme,
            by=setting.officer,
            kind="session_held",
            amount=amount,
            confirmer="counterpart",
        )
    with pytest.raises(DomainError, match=message):
        services.add_budget(programme=setting.programme, by=setting.officer, amount=amount)
    assert setting.programme.rules.get(kind="session_held").amount == D("50")
    assert LedgerEntry.objects.filter(kind="funding").count() == 1
    assert RuleChange.objects.filter(rule__kind="session_held").count() == 1


def test_an_unknown_unit_is_refused(setting):
    with pytest.raises(DomainError, match="unit"):
        services.create_programme(
            by=setting.officer,
            name="Raro",
            clusters=[setting.cluster],
            starts_on=datetime.date(2027, 1, 1),
            ends_on=datetime.date(2027, 12, 31),
            unit="XYZ",
            budget=D("10"),
        )
    assert Programme.objects.count() == 1


def test_every_rule_change_records_who_and_when(setting):
    services.set_rule(
        programme=setting.programme,
        by=setting.officer,
        kind="session_held",
        amount=D("60"),
        confirmer="counterpart",
    )
    changes = list(RuleChange.objects.filter(rule__kind="session_held").order_by("id"))
    assert [(c.amount, c.changed_by) for c in changes] == [
        (D("50"), setting.officer),
        (D("60"), setting.officer),
    ]
    assert all(c.changed_at is not None for c in changes)
    with pytest.raises(TypeError, match="append-only"):
        changes[0].save()


def test_reasons_are_explained_in_the_readers_language_not_the_confirmers(db, monkeypatch):
    from incentives import reasons

    setting = build(member_cap="70")
    session(setting, 1)
    with translation.override("es"):
        capped = session(setting, 2, follower=setting.other_follower)
    assert capped.reason_code == "capped"
    assert capped.reason == "Credited 20.00 of 50.00: the monthly cap per member is reached."
    # What the member reads is put into words when they read it, in their language.
    monkeypatch.setattr(reasons, "gettext", lambda text: f"<{text}>")
    assert capped.reason_text == (
        "<Credited 20.00 of 50.00: <the monthly cap per member is reached>.>"
    )


def test_a_coordinators_queue_explains_flags_of_what_waits_for_them(setting):
    for n in range(5):
        last = useful_post(setting, n)
    assert last.status == Status.PENDING
    assert [flag["code"] for flag in last.flags] == ["burst"]


def test_only_links_to_the_apps_own_pages_are_kept(setting):
    links = {}
    for n, url in enumerate(
        ["/forums/t/1/#post-2", "javascript:alert(1)", "//evil.example/x", "https://evil.example"]
    ):
        contribution = services.record_contribution(
            kind="accepted_answer",
            actor=setting.mentor,
            counterpart=setting.follower,
            cluster=setting.cluster,
            source=f"forums.post:{n}",
            url=url,
        )
        links[url] = contribution.url
    assert links == {
        "/forums/t/1/#post-2": "/forums/t/1/#post-2",
        "javascript:alert(1)": "",
        "//evil.example/x": "",
        "https://evil.example": "",
    }


def test_capped_amounts_are_whole_cents_on_every_database(db):
    setting = build(member_cap="22.10", session_amount="7.35")
    followers = [setting.follower, setting.other_follower]
    results = [session(setting, n, follower=followers[n % 2]) for n in range(4)]
    capped = results[3]
    assert (capped.status, capped.amount) == (Status.CAPPED, D("0.05"))
    assert capped.amount.as_tuple().exponent == -2
    assert capped.reason == "Credited 0.05 of 7.35: the monthly cap per member is reached."
