"""A mentor's first pairing ever may earn a "first-time mentor" reward, by programme rules:
reported by mentoring through incentives.services, credited at most once per person."""

from decimal import Decimal

import pytest
from django.db import connection

from incentives import services as incentives
from incentives.models import Contribution, LedgerEntry
from mentoring.services import offers, pairings
from tests.concurrency import race
from tests.incentives.conftest import build

Status = Contribution.Status


def reward_first_pairing(setting, confirmer="counterpart"):
    incentives.set_rule(
        programme=setting.programme,
        by=setting.officer,
        kind="first_pairing",
        amount=Decimal("100"),
        confirmer=confirmer,
    )


def start(setting, follower):
    offer = offers.save_offer(
        user=setting.mentor, cluster=setting.cluster, capacity=5, accepts_competitors=True
    )
    pairing = pairings.request_mentor(follower=follower, offer=offer)
    return pairings.accept_pairing(pairing=pairing, by=setting.mentor)


@pytest.fixture
def setting(db):
    return build()


def test_the_first_pairing_waits_for_the_follower_then_is_credited_once(setting):
    reward_first_pairing(setting)
    first = start(setting, setting.follower)
    contribution = Contribution.objects.get(kind="first_pairing")
    assert contribution.actor == setting.mentor and contribution.counterpart == setting.follower
    assert contribution.status == Status.PENDING
    assert contribution.url == first.get_absolute_url()
    incentives.confirm_contribution(contribution=contribution, by=setting.follower)
    contribution.refresh_from_db()
    assert (contribution.status, contribution.amount) == (Status.CREDITED, Decimal("100"))
    # The mentor's second mentee is no first pairing: nothing more is reported.
    pairings.end_pairing(pairing=first, by=setting.mentor, reason="Hecho", completed=True)
    start(setting, setting.other_follower)
    assert Contribution.objects.filter(kind="first_pairing").count() == 1
    assert LedgerEntry.objects.filter(kind="credit").count() == 1


def test_without_a_rule_nothing_is_reported_and_no_later_pairing_counts_as_first(setting):
    start(setting, setting.follower)
    assert not Contribution.objects.filter(kind="first_pairing").exists()
    reward_first_pairing(setting)
    start(setting, setting.other_follower)
    assert not Contribution.objects.filter(kind="first_pairing").exists()


def test_a_rule_may_ask_a_coordinator_to_confirm(setting):
    reward_first_pairing(setting, confirmer="coordinator")
    start(setting, setting.follower)
    contribution = Contribution.objects.get(kind="first_pairing")
    assert contribution.status == Status.PENDING
    incentives.confirm_contribution(contribution=contribution, by=setting.coordinator)
    contribution.refresh_from_db()
    assert contribution.status == Status.CREDITED


on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency runs in the PostgreSQL pass"
)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_pairings_racing_report_one_first_time_mentor():
    setting = build()
    reward_first_pairing(setting)
    offer = offers.save_offer(
        user=setting.mentor, cluster=setting.cluster, capacity=5, accepts_competitors=True
    )
    requests = iter(
        [
            pairings.request_mentor(follower=follower, offer=offer)
            for follower in (setting.follower, setting.other_follower)
        ]
    )
    lock = __import__("threading").Lock()

    def accept():
        with lock:
            pairing = next(requests)
        pairings.accept_pairing(pairing=pairing, by=setting.mentor)

    assert race(2, accept) == []
    assert Contribution.objects.filter(kind="first_pairing").count() == 1
