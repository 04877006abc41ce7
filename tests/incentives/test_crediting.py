"""Crediting rules, caps and budget on hand-built cases; what is refused and why."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from incentives import ledger, services
from incentives.errors import IncentiveError, NotAllowed
from incentives.models import Contribution, LedgerEntry
from tests.factories import make_cluster
from tests.incentives.conftest import build

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
    return ledger.account(setting.programme, "member", who).balance


def test_a_confirmed_session_is_credited_once_into_the_ledger(setting):
    contribution = session(setting, 1)
    assert (contribution.status, contribution.amount) == (Status.CREDITED, D("50"))
    assert balance(setting, setting.mentor) == D("50")
    assert ledger.budget_left(setting.programme) == D("950")
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
    with pytest.raises(IncentiveError, match="already decided"):
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
    assert ledger.budget_left(setting.programme) == 0


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
    with pytest.raises(IncentiveError, match="Say why"):
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
    with pytest.raises(IncentiveError):
        services.reverse_credit(contribution=contribution, by=setting.officer, reason="again")
    assert session(setting, 2).status == Status.CREDITED
