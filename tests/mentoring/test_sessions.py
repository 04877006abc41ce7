"""Sessions across time zones and a daylight-saving change, answers, confirmation, calendars."""

import datetime
from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from core.errors import DomainError, NotAllowed
from mentoring import calendar
from mentoring.models import Session
from mentoring.selectors.sessions import sessions_of
from mentoring.services import calendars, sessions
from tests.factories import add_member
from tests.mentoring.conftest import move_to_past, person

# New York moves its clocks forward on Sunday 14 March 2027, 02:00 -> 03:00.
BEFORE_DST = datetime.datetime(2027, 3, 11, 10, 0)
AFTER_DST = datetime.datetime(2027, 3, 18, 10, 0)


def one_to_one(net, pairing, local=BEFORE_DST, zone="America/New_York", **fields):
    return sessions.schedule_session(
        by=net.ana,
        pairing=pairing,
        title=fields.pop("title", "Certificación para Alemania"),
        local_start=local,
        time_zone=zone,
        duration_minutes=fields.pop("duration_minutes", 60),
        **fields,
    )


def test_the_same_wall_clock_time_moves_in_utc_across_daylight_saving(net, pairing):
    before = one_to_one(net, pairing, BEFORE_DST)
    after = one_to_one(net, pairing, AFTER_DST)
    assert before.starts_at == datetime.datetime(2027, 3, 11, 15, 0, tzinfo=UTC)
    assert after.starts_at == datetime.datetime(2027, 3, 18, 14, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_is_refused_with_a_clear_message(net, pairing):
    with pytest.raises(DomainError, match="does not exist in America/New_York"):
        one_to_one(net, pairing, datetime.datetime(2027, 3, 14, 2, 30))
    assert not Session.objects.exists()


def test_each_member_sees_the_time_in_their_own_zone(net, pairing):
    session = one_to_one(net, pairing, AFTER_DST)
    felipe = net.felipe.profile
    felipe.time_zone = "America/Bogota"  # no daylight saving: one hour behind New York in March
    felipe.save()
    client = Client()
    client.force_login(net.felipe)
    page = client.get(session.get_absolute_url()).content.decode()
    assert 'datetime="2027-03-18T09:00:00-05:00"' in page and "(America/Bogota)" in page
    assert "Set by the host as March 18, 2027, 10 a.m. in America/New_York" in page


def test_the_calendar_file_parses_back_with_the_zone_and_the_right_instants(net, pairing):
    before = one_to_one(net, pairing, BEFORE_DST)
    after = one_to_one(net, pairing, AFTER_DST, title="Logística")
    parsed = Calendar.from_ical(calendar.calendar_of([before, after], name="test"))
    events = {str(e["summary"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"Certificación para Alemania", "Logística"}
    for event, session in (
        (events["Certificación para Alemania"], before),
        (events["Logística"], after),
    ):
        start = event.decoded("dtstart")
        assert event["dtstart"].params["TZID"] == "America/New_York"
        assert (start.hour, start.minute) == (10, 0)  # the wall clock stays at 10:00
        assert start.astimezone(UTC) == session.starts_at
        assert event.decoded("dtend") - start == timedelta(minutes=60)
        assert str(event["uid"]) == f"{session.uid}@pioneros"
    zones = [str(tz["tzid"]) for tz in parsed.walk("VTIMEZONE")]
    assert zones == ["America/New_York"]


def test_the_private_feed_lists_my_sessions_and_stops_when_revoked(net, pairing):
    one_to_one(net, pairing, AFTER_DST)
    feed = calendars.ensure_feed(user=net.felipe)
    anonymous = Client()
    response = anonymous.get(feed.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    assert [str(e["summary"]) for e in parsed.walk("VEVENT")] == ["Certificación para Alemania"]
    old_url = feed.get_absolute_url()
    calendars.revoke_feed(user=net.felipe)
    assert anonymous.get(old_url).status_code == 404
    assert (
        anonymous.get(calendars.ensure_feed(user=net.felipe).get_absolute_url()).status_code == 200
    )


def test_a_cancelled_session_stays_in_the_feed_marked_cancelled(net, pairing):
    session = one_to_one(net, pairing, AFTER_DST)
    sessions.cancel_session(session=session, by=net.ana, reason="Viaje")
    parsed = Calendar.from_ical(calendar.calendar_of(sessions_of(net.felipe), name="x"))
    assert [str(e["status"]) for e in parsed.walk("VEVENT")] == ["CANCELLED"]


def group_session(net, capacity=2):
    return sessions.schedule_session(
        by=net.coordinator,
        cluster=net.cluster,
        title="Taller de reglas de origen",
        local_start=AFTER_DST,
        time_zone="America/Bogota",
        duration_minutes=90,
        capacity=capacity,
    )


def test_answers_beyond_the_places_wait_and_move_up_when_a_place_frees(net, commit):
    session = group_session(net, capacity=2)
    third = add_member(net.cluster, person("Tercera"))
    assert not sessions.answer_session(session=session, user=net.felipe, answer="yes").waitlisted
    assert not sessions.answer_session(session=session, user=net.gabi, answer="yes").waitlisted
    assert sessions.answer_session(session=session, user=third, answer="yes").waitlisted
    mail.outbox.clear()
    with commit():
        sessions.answer_session(session=session, user=net.felipe, answer="no")
    session.refresh_from_db()
    assert session.going_count == 2
    assert not session.attendances.get(user=third).waitlisted
    assert [m.to for m in mail.outbox] == [[third.email]]
    # Saying yes twice does not take two places.
    sessions.answer_session(session=session, user=net.gabi, answer="yes")
    session.refresh_from_db()
    assert session.going_count == 2


def test_outsiders_cannot_answer_or_see_a_session(net):
    session = group_session(net)
    with pytest.raises(NotAllowed):
        sessions.answer_session(session=session, user=net.outsider, answer="yes")
    client = Client()
    client.force_login(net.outsider)
    assert client.get(session.get_absolute_url()).status_code == 404
    assert client.get(f"/sessions/{session.pk}/calendar.ics").status_code == 404


def test_a_session_counts_as_held_only_once_an_attending_follower_confirms(net, pairing):
    session = move_to_past(one_to_one(net, pairing, AFTER_DST))
    assert session.held_confirmed_at is None
    with pytest.raises(NotAllowed):
        sessions.confirm_session(session=session, follower=net.ana, took_place=True)
    sessions.confirm_session(
        session=session, follower=net.felipe, took_place=True, useful=True, rating=5
    )
    session.refresh_from_db()
    assert session.held_confirmed_at is not None
    with pytest.raises(DomainError, match="already confirmed"):
        sessions.confirm_session(session=session, follower=net.felipe, took_place=True)
    assert session.feedback.count() == 1


def test_a_follower_marked_absent_cannot_confirm(net, pairing):
    session = move_to_past(one_to_one(net, pairing, AFTER_DST))
    sessions.mark_attendance(session=session, by=net.ana, attended={net.felipe.pk: False})
    with pytest.raises(NotAllowed):
        sessions.confirm_session(session=session, follower=net.felipe, took_place=True)
    assert session.feedback.count() == 0


def test_a_session_cannot_be_confirmed_before_it_ends(net, pairing):
    session = move_to_past(one_to_one(net, pairing, AFTER_DST, duration_minutes=240), hours_ago=1)
    with pytest.raises(DomainError, match="once it is over"):
        sessions.confirm_session(session=session, follower=net.felipe, took_place=True)


def test_reminders_go_once_to_everyone_going(net, commit):
    session = group_session(net)
    sessions.answer_session(session=session, user=net.felipe, answer="yes")
    sessions.answer_session(session=session, user=net.gabi, answer="no")
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + timedelta(hours=5))
    mail.outbox.clear()
    with commit():
        assert sessions.send_due_reminders() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [net.coordinator.email, net.felipe.email]
    )
    assert sessions.send_due_reminders() == 0


def test_only_coordinators_schedule_group_sessions(net):
    with pytest.raises(NotAllowed):
        sessions.schedule_session(
            by=net.ana,
            cluster=net.cluster,
            title="x",
            local_start=AFTER_DST,
            time_zone="UTC",
            duration_minutes=60,
        )
    assert not Session.objects.exists()


def test_the_reminder_command_reports_what_it_sent(net, capsys):
    session = group_session(net)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + timedelta(hours=2))
    call_command("send_session_reminders")
    call_command("send_session_reminders")
    assert capsys.readouterr().out.splitlines() == [
        "Reminders sent for 1 session(s).",
        "Reminders sent for 0 session(s).",
    ]
