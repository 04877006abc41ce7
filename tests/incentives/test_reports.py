"""Mentoring and forums report what happened; the rules decide what it earns."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from incentives import selectors
from incentives.models import Contribution
from mentoring.models import Session
from mentoring.services import offers, pairings, sessions
from tests.factories import add_member
from tests.incentives.conftest import member_of

FUTURE = datetime.datetime(2027, 5, 10, 10, 0)


def to_the_past(session):
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    session.refresh_from_db()
    return session


@pytest.fixture
def pairing(setting):
    offer = offers.save_offer(
        user=setting.mentor, cluster=setting.cluster, capacity=2, accepts_competitors=True
    )
    request = pairings.request_mentor(follower=setting.follower, offer=offer)
    return pairings.accept_pairing(pairing=request, by=setting.mentor)


def test_a_confirmed_one_to_one_session_credits_the_mentor_once(setting, pairing):
    session = to_the_past(
        sessions.schedule_session(
            by=setting.mentor,
            pairing=pairing,
            title="Costos de exportación",
            local_start=FUTURE,
            time_zone="America/Bogota",
            duration_minutes=45,
        )
    )
    sessions.confirm_session(session=session, follower=setting.follower, took_place=True)
    contribution = Contribution.objects.get()
    assert (contribution.kind, contribution.actor, contribution.counterpart) == (
        "session_held",
        setting.mentor,
        setting.follower,
    )
    assert contribution.status == "credited" and contribution.hours == Decimal("0.75")
    assert contribution.source == f"mentoring.session:{session.pk}"
    assert selectors.member_balance(setting.programme, setting.mentor) == Decimal("50")


def test_a_session_that_did_not_take_place_earns_nothing(setting, pairing):
    session = to_the_past(
        sessions.schedule_session(
            by=setting.mentor,
            pairing=pairing,
            title="x",
            local_start=FUTURE,
            time_zone="UTC",
            duration_minutes=60,
        )
    )
    sessions.confirm_session(session=session, follower=setting.follower, took_place=False)
    assert not Contribution.objects.exists()


def test_a_group_session_is_credited_when_enough_attendees_confirm(setting):
    session = sessions.schedule_session(
        by=setting.coordinator,
        cluster=setting.cluster,
        title="Taller",
        local_start=FUTURE,
        time_zone="UTC",
        duration_minutes=120,
    )
    people = [setting.follower, setting.other_follower]
    people.append(add_member(setting.cluster, member_of(None, "Tercero")))
    for person in people:
        sessions.answer_session(session=session, user=person, answer="yes")
    to_the_past(session)
    statuses = []
    for person in people:
        sessions.confirm_session(session=session, follower=person, took_place=True)
        statuses.append(Contribution.objects.get().status)
    assert statuses == ["pending", "pending", "credited"]  # the rule asks for 3 attendees
    contribution = Contribution.objects.get()
    assert (contribution.actor, contribution.attendees, contribution.amount) == (
        setting.coordinator,
        3,
        Decimal("80"),
    )
