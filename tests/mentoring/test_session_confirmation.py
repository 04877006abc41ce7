"""Who confirms that a session was held, and so what incentives credit: a follower who was
there, never the host, a mentor, a coordinator of a pairing's session, or the host's firm."""

import pytest
from django.utils import timezone

from core.errors import NotAllowed
from mentoring.models import Attendance
from mentoring.selectors.sessions import awaiting_confirmation
from mentoring.services import sessions
from network.models import Membership
from tests.mentoring.conftest import group_session, move_to_past, one_to_one


@pytest.fixture
def credits(monkeypatch):
    """What the sessions report to incentives, instead of reporting it."""
    reported = []
    monkeypatch.setattr(sessions, "record_contribution", lambda **kw: reported.append(kw))
    return reported


def test_a_one_to_one_session_the_follower_hosted_is_confirmed_by_the_follower(
    net, pairing, credits
):
    session = move_to_past(one_to_one(net.felipe, pairing))
    assert list(awaiting_confirmation(net.felipe)) == [session]
    with pytest.raises(NotAllowed):
        sessions.confirm_session(session=session, follower=net.ana, took_place=True)
    sessions.confirm_session(session=session, follower=net.felipe, took_place=True)
    session.refresh_from_db()
    assert session.held_confirmed_at is not None
    # The mentor's help is what the confirmation credits, whoever hosted.
    ((report),) = credits
    assert report["actor"] == net.ana and report["confirmed_by"] == net.felipe


def test_one_attendee_marked_absent_does_not_block_the_others(net):
    session = group_session(net)
    for follower in (net.felipe, net.gabi):
        sessions.answer_session(session=session, user=follower, answer="yes")
    move_to_past(session)
    sessions.mark_attendance(
        session=session, by=net.coordinator, attended={net.felipe.pk: True, net.gabi.pk: False}
    )
    assert list(awaiting_confirmation(net.felipe)) == [session]
    sessions.confirm_session(session=session, follower=net.felipe, took_place=True)
    with pytest.raises(NotAllowed):
        sessions.confirm_session(session=session, follower=net.gabi, took_place=True)
    assert [f.follower for f in session.feedback.all()] == [net.felipe]


def test_a_coordinator_neither_answers_nor_confirms_a_pairings_session(net, pairing):
    session = one_to_one(net.ana, pairing)
    with pytest.raises(NotAllowed):
        sessions.answer_session(session=session, user=net.coordinator, answer="yes")
    assert not session.attendances.filter(user=net.coordinator).exists()
    # Even holding an answer from before the rule, the coordinator cannot confirm it.
    Attendance.objects.create(
        session=session, user=net.coordinator, answer="yes", answered_at=timezone.now()
    )
    move_to_past(session)
    assert not awaiting_confirmation(net.coordinator).exists()
    with pytest.raises(NotAllowed):
        sessions.confirm_session(session=session, follower=net.coordinator, took_place=True)
    assert not session.feedback.exists()


def test_a_mentor_attending_a_group_session_does_not_confirm_it(net):
    session = group_session(net)
    sessions.answer_session(session=session, user=net.ana, answer="yes")
    move_to_past(session)
    assert not awaiting_confirmation(net.ana).exists()
    with pytest.raises(NotAllowed):
        sessions.confirm_session(session=session, follower=net.ana, took_place=True)


def test_the_host_does_not_confirm_their_own_group_session_even_as_a_follower(net):
    session = group_session(net)
    sessions.answer_session(session=session, user=net.coordinator, answer="yes")
    move_to_past(session)
    # Hosts hold the role that lets them schedule; later they may be a follower there.
    Membership.objects.filter(user=net.coordinator, cluster=net.cluster).update(role="follower")
    assert not awaiting_confirmation(net.coordinator).exists()
    with pytest.raises(NotAllowed):
        sessions.confirm_session(session=session, follower=net.coordinator, took_place=True)
    assert session.held_confirmed_at is None


def test_attendees_from_the_hosts_own_firm_do_not_confirm_a_group_session(net, credits):
    """A firm cannot credit itself: its own people at its session are not independent."""
    host_firm = net.coordinator.profile.organization or net.felipe.profile.organization
    for person_ in (net.coordinator, net.felipe):
        person_.profile.organization = host_firm
        person_.profile.save()
    session = group_session(net)
    for follower in (net.felipe, net.gabi):
        sessions.answer_session(session=session, user=follower, answer="yes")
    move_to_past(session)
    assert not awaiting_confirmation(net.felipe).exists()
    with pytest.raises(NotAllowed):
        sessions.confirm_session(session=session, follower=net.felipe, took_place=True)
    session.refresh_from_db()
    assert session.held_confirmed_at is None and not credits
    # An attendee from another firm confirms; only that confirmation is counted.
    sessions.confirm_session(session=session, follower=net.gabi, took_place=True)
    ((report),) = credits
    assert report["attendees"] == 1


def test_a_colleague_confirmation_from_before_the_rule_is_not_counted(net, credits):
    session = group_session(net)
    for follower in (net.felipe, net.gabi):
        sessions.answer_session(session=session, user=follower, answer="yes")
    move_to_past(session)
    sessions.confirm_session(session=session, follower=net.felipe, took_place=True)
    # Felipe has since joined the host's firm: his confirmation no longer counts.
    net.coordinator.profile.organization = net.felipe.profile.organization
    net.coordinator.profile.save()
    sessions.confirm_session(session=session, follower=net.gabi, took_place=True)
    assert [report["attendees"] for report in credits] == [1, 1]
