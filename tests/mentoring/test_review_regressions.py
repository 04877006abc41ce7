"""Findings of the mentoring review, each pinned by what the people involved rely on."""

import datetime
from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from core.errors import DomainError, NotAllowed
from mentoring.models import Attendance, ExportRecord, MentorOffer, Pairing, Session
from mentoring.scoring import describe_all
from mentoring.selectors.matching import match_for
from mentoring.selectors.sessions import awaiting_confirmation
from mentoring.services import calendars, offers, pairings, sessions
from mentoring.services.suggestions import reserve_suggestions
from network import services as network
from network.models import Membership
from tests.factories import add_member
from tests.mentoring.conftest import cohort_form, offer, person

NEXT_YEAR = timezone.now().year + 1


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pairing(net):
    return pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )


def one_to_one(by, pairing, **fields) -> Session:
    return sessions.schedule_session(
        by=by,
        pairing=pairing,
        title=fields.pop("title", "Uno a uno"),
        local_start=datetime.datetime(NEXT_YEAR, 5, 4, 10, 0),
        time_zone="America/Bogota",
        duration_minutes=60,
        **fields,
    )


def group_session(net, **fields) -> Session:
    return sessions.schedule_session(
        by=net.coordinator,
        cluster=net.cluster,
        title=fields.pop("title", "Taller grupal"),
        local_start=datetime.datetime(NEXT_YEAR, 5, 6, 9, 0),
        time_zone="America/Bogota",
        duration_minutes=90,
        **fields,
    )


def move_to_past(session: Session) -> Session:
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    session.refresh_from_db()
    return session


@pytest.fixture
def credits(monkeypatch):
    """What the sessions report to incentives, instead of reporting it."""
    reported = []
    monkeypatch.setattr(sessions, "record_contribution", lambda **kw: reported.append(kw))
    return reported


# --- Who confirms a session ----------------------------------------------------------


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


# --- Ids and times typed into addresses and forms ------------------------------------

HUGE = "9" * 25


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/²/",
        f"/sessions/{HUGE}/",
        f"/sessions/{HUGE}/calendar.ics",
        f"/mentoring/pairings/{HUGE}/",
        f"/mentoring/offers/{HUGE}/request/",
        "/mentoring/pairings/١٢/",  # Arabic-Indic digits
    ],
)
def test_odd_ids_in_addresses_are_not_found(net, path):
    assert client_for(net.coordinator).get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [f"/mentoring/pairings/{HUGE}/accept/", f"/sessions/{HUGE}/answer/"],
)
def test_odd_ids_in_posted_addresses_are_not_found(net, path):
    assert client_for(net.coordinator).post(path, {"answer": "yes"}).status_code == 404


def test_odd_ids_in_the_cohort_form_are_ignored_not_a_crash(net):
    client = client_for(net.coordinator)
    url = f"/clusters/{net.cluster.slug}/mentoring/cohort/"
    fields = cohort_form(
        {"²": net.ana_offer.pk, HUGE: net.ana_offer.pk, net.felipe.pk: "²", net.gabi.pk: HUGE}
    )
    response = client.post(url, {**fields, "recalculate": "1"})
    assert response.status_code == 200 and "Total score" in response.content.decode()
    response = client.post(url, {**fields, "publish": "1"}, follow=True)
    assert response.status_code == 200
    assert "The draft pairs nobody" in response.content.decode()
    assert not Pairing.objects.exists()


def test_odd_ids_in_the_attendance_form_are_ignored_not_a_crash(net):
    session = group_session(net)
    sessions.answer_session(session=session, user=net.felipe, answer="yes")
    move_to_past(session)
    response = client_for(net.coordinator).post(
        f"/sessions/{session.pk}/attendance/",
        {"came-²": "yes", f"came-{HUGE}": "yes", f"came-{net.felipe.pk}": "no"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Attendance saved for 1 person." in response.content.decode()
    assert session.attendances.get(user=net.felipe).attended is False


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("9999-12-31T23:30", "America/New_York"), ("0001-01-01T00:30", "Asia/Tokyo")],
)
def test_a_year_out_of_reach_is_a_form_error(net, pairing, typed, zone):
    response = client_for(net.ana).post(
        f"/mentoring/pairings/{pairing.pk}/sessions/new/",
        {"title": "Lejos", "local_start": typed, "time_zone": zone, "duration_minutes": "45"},
    )
    assert response.status_code == 200
    assert "Choose a date within the next 5 years." in response.content.decode()
    assert not Session.objects.exists()


def second_sunday_of_march(year: int) -> datetime.date:
    first = datetime.date(year, 3, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7)


def test_a_madrid_time_is_read_in_madrid_whatever_the_hosts_own_zone(net, pairing):
    profile = net.ana.profile
    profile.time_zone = "America/New_York"
    profile.save()
    # 02:30 does not exist in New York that night (clocks jump to 03:00); in Madrid it does.
    night = second_sunday_of_march(NEXT_YEAR)
    response = client_for(net.ana).post(
        f"/mentoring/pairings/{pairing.pk}/sessions/new/",
        {
            "title": "Desde Madrid",
            "local_start": f"{night.isoformat()}T02:30",
            "time_zone": "Europe/Madrid",
            "duration_minutes": "45",
        },
        follow=True,
    )
    assert "Session scheduled" in response.content.decode()
    session = Session.objects.get()
    # Madrid keeps winter time (UTC+1) until the last Sunday of March.
    assert session.starts_at == datetime.datetime(
        night.year, night.month, night.day, 1, 30, tzinfo=UTC
    )
    assert session.time_zone == "Europe/Madrid"


# --- Calendars, suggestions and places -----------------------------------------------


def feed_events(user) -> list[tuple[str, str]]:
    response = Client().get(calendars.ensure_feed(user=user).get_absolute_url())
    assert response.status_code == 200
    parsed = Calendar.from_ical(response.content)
    return sorted((str(e["summary"]), str(e["status"])) for e in parsed.walk("VEVENT"))


def test_the_calendar_feed_drops_a_clusters_sessions_once_the_member_is_suspended(net, pairing):
    group = group_session(net)
    sessions.answer_session(session=group, user=net.felipe, answer="yes")
    one_to_one(net.ana, pairing, title="Uno a uno")
    assert feed_events(net.felipe) == [("Taller grupal", "CONFIRMED"), ("Uno a uno", "CONFIRMED")]
    network.suspend_member(
        membership=Membership.objects.get(user=net.felipe, cluster=net.cluster),
        by=net.coordinator,
    )
    # The group session is gone; the pairing ended with the membership, so its session is
    # called off rather than left waiting.
    assert feed_events(net.felipe) == [("Uno a uno", "CANCELLED")]
    assert feed_events(net.ana) == [("Uno a uno", "CANCELLED")]


def test_suggestion_reasons_only_cite_exports_the_mentor_chose_to_show(net):
    firm = net.ana.profile.organization
    # Ana's firm also exported to Japan and exported cocoa: her offer shows neither.
    ExportRecord.objects.create(
        organization=firm, year=2020, hs_code="0901", country="JP", value_band="lt1m"
    )
    ExportRecord.objects.create(
        organization=firm, year=2020, hs_code="1801", country="DE", value_band="lt1m"
    )
    to_japan = add_member(net.cluster, person("Hiro Follower", languages=["pt"]))
    offers.save_needs(user=to_japan, products=["0901"], markets=["JP"])
    cocoa = add_member(net.cluster, person("Carla Follower", languages=["pt"]))
    offers.save_needs(user=cocoa, products=["1801"], markets=["DE"])
    for follower in (to_japan, cocoa):
        match, excluded = match_for(offer=net.ana_offer, follower=follower)
        assert not excluded
        assert [r for r in match.reasons if r["code"] == "product_market"] == []
    suggested = {s.offer.user: s for s in reserve_suggestions(follower=to_japan)}
    words = " ".join(describe_all(suggested[net.ana].match.reasons))
    assert "Japan" not in words
    # What she does show still counts: coffee to Germany.
    match, _excluded = match_for(offer=net.ana_offer, follower=net.felipe)
    assert {"code": "product_market", "hs": "0901", "country": "DE"} in match.reasons


def places_taken(offer_obj) -> int:
    return MentorOffer.objects.get(pk=offer_obj.pk).active_mentees


def test_deleting_a_followers_account_frees_the_mentors_place(net, pairing):
    gabi = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.gabi, offer=net.ana_offer), by=net.ana
    )
    assert places_taken(net.ana_offer) == 2
    net.felipe.delete()
    # One place back, not two: the membership going with the account closes nothing twice.
    assert places_taken(net.ana_offer) == 1
    assert Pairing.objects.get(pk=gabi.pk).status == Pairing.Status.ACTIVE
    newcomer = add_member(net.cluster, person("Nuevo", languages=["pt"]))
    offers.save_needs(user=newcomer, products=["0901"], markets=["US"])
    assert pairings.request_mentor(follower=newcomer, offer=net.ana_offer).is_open


def test_a_full_mentor_stays_full_until_a_place_is_really_freed(net, pairing):
    offer(net.ana, net.cluster, capacity=1, products=["0901"], markets=["DE", "US"])
    with pytest.raises(DomainError):
        pairings.request_mentor(follower=net.gabi, offer=net.ana_offer)
    net.felipe.delete()
    assert pairings.request_mentor(follower=net.gabi, offer=net.ana_offer).is_open
