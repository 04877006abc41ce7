"""The mentoring pages, driven as people do: forms in, confirmations and links out."""

import datetime
import re
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guides import services as guides
from mentoring.models import ExportRecord, Goal, MentoringNeeds, MentorOffer, Pairing, Session
from mentoring.services import pairings, sessions
from tests.factories import add_member, make_cluster
from tests.mentoring.conftest import (
    NEXT_YEAR,
    cohort_form,
    group_session,
    move_to_past,
    offer,
    one_to_one,
    person,
)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_follower_describes_needs_and_sees_explained_mentors(net):
    follower = add_member(net.cluster, person("Nueva", languages=["pt"]))
    client = client_for(follower)
    page = client.get("/mentoring/").content.decode()
    assert "Describe what I need" in page
    response = client.post(
        "/mentoring/needs/",
        {
            "stage": "preparing",
            "products": "0901",
            "markets": ["DE"],
            "languages": ["pt"],
            "topics": "certification",
        },
        follow=True,
    )
    assert "Your needs are saved" in response.content.decode()
    page = response.content.decode()
    assert "Ana Mentor" in page and "your target market" in page and "speaks Portuguese" in page
    assert MentoringNeeds.objects.get(user=follower).products == ["0901"]


def test_bad_needs_are_refused_with_the_reason_and_nothing_saved(net):
    follower = add_member(net.cluster, person("Nueva"))
    response = client_for(follower).post(
        "/mentoring/needs/", {"stage": "preparing", "products": "0901, 12345"}
    )
    assert "Unknown HS codes: 12345" in response.content.decode()
    assert not MentoringNeeds.objects.filter(user=follower).exists()


def test_a_mentor_saves_an_offer_prefilled_from_their_firm(net):
    mentor = add_member(net.cluster, person("Nuevo mentor", firm="Exporta SA"), role="mentor")
    mentor.profile.organization.products.create(hs_code="0804")
    client = client_for(mentor)
    page = client.get(f"/clusters/{net.cluster.slug}/mentoring/offer/").content.decode()
    assert 'value="0804"' in page
    response = client.post(
        f"/clusters/{net.cluster.slug}/mentoring/offer/",
        {"capacity": "3", "products": "0804", "markets": ["US"], "topics": "logistics"},
        follow=True,
    )
    assert "Your mentoring offer in Cafés del Huila is saved" in response.content.decode()
    assert MentorOffer.objects.get(user=mentor).capacity == 3


def test_followers_cannot_offer_mentoring(net):
    response = client_for(net.felipe).post(
        f"/clusters/{net.cluster.slug}/mentoring/offer/", {"capacity": "2"}
    )
    assert "Only the cluster" in response.content.decode()
    assert not MentorOffer.objects.filter(user=net.felipe).exists()


def test_request_accept_and_talk_through_the_pages(net):
    felipe, ana = client_for(net.felipe), client_for(net.ana)
    page = felipe.get(f"/mentoring/offers/{net.ana_offer.pk}/request/").content.decode()
    assert "Why this mentor" in page and "Germany" in page
    response = felipe.post(
        f"/mentoring/offers/{net.ana_offer.pk}/request/", {"message": "Hola"}, follow=True
    )
    assert "Your request was sent to Ana Mentor" in response.content.decode()
    pairing = Pairing.objects.get()
    assert "Felipe Follower would like you as mentor" in ana.get("/mentoring/").content.decode()
    response = ana.post(f"/mentoring/pairings/{pairing.pk}/accept/", follow=True)
    assert "Open our conversation" in response.content.decode()
    pairing.refresh_from_db()
    topic_page = felipe.get(f"/topics/{pairing.conversation_id}/")
    assert topic_page.status_code == 200
    assert client_for(net.bruno).get(f"/topics/{pairing.conversation_id}/").status_code == 404


def test_the_coordinator_reviews_changes_and_publishes_a_cohort(net):
    client = client_for(net.coordinator)
    page = client.get(f"/clusters/{net.cluster.slug}/mentoring/cohort/").content.decode()
    assert "Total score" in page and "Felipe Follower" in page and "Gabi Follower" in page
    # The coordinator leaves Gabi without a mentor for now, then publishes.
    choices = cohort_form({net.felipe.pk: net.ana_offer.pk, net.gabi.pk: ""})
    page = client.post(
        f"/clusters/{net.cluster.slug}/mentoring/cohort/", {**choices, "recalculate": "1"}
    ).content.decode()
    assert "the best possible is" in page
    response = client.post(
        f"/clusters/{net.cluster.slug}/mentoring/cohort/", {**choices, "publish": "1"}, follow=True
    )
    assert "1 pairing proposed." in response.content.decode()
    assert Pairing.objects.get().follower == net.felipe


def posted_as_shown(page: str) -> dict:
    """What a browser posts from the page's form as it came: hidden and selected values."""
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    for name, options in re.findall(
        r'<select[^>]* name="([^"]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_the_cohort_page_publishes_its_draft_as_shown(net):
    client = client_for(net.coordinator)
    url = f"/clusters/{net.cluster.slug}/mentoring/cohort/"
    data = posted_as_shown(client.get(url).content.decode())
    response = client.post(url, {**data, "publish": "1"}, follow=True)
    assert "2 pairings proposed." in response.content.decode()
    assert {(p.follower, p.mentor) for p in Pairing.objects.all()} == {
        (net.felipe, net.ana),
        (net.gabi, net.bruno),
    }


def test_members_who_do_not_coordinate_get_404_on_the_cohort(net):
    for user in (net.ana, net.felipe, net.outsider):
        assert (
            client_for(user).get(f"/clusters/{net.cluster.slug}/mentoring/cohort/").status_code
            == 404
        )


def test_goals_milestones_and_exports_through_the_pages(net, pairing):
    ana, felipe = client_for(net.ana), client_for(net.felipe)
    response = ana.post(
        f"/mentoring/pairings/{pairing.pk}/goals/",
        {"outcome": "entry", "title": "Primer contenedor a Hamburgo", "year": "2026"},
        follow=True,
    )
    assert "Goal added." in response.content.decode()
    goal = Goal.objects.get()
    ana.post(f"/mentoring/goals/{goal.pk}/milestones/", {"title": "Certificado orgánico"})
    assert goal.milestones.count() == 1
    response = felipe.post(
        "/me/exports/",
        {"year": "2026", "hs_code": "0901", "country": "DE", "value_band": "lt10k"},
        follow=True,
    )
    assert "Export recorded." in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.MET
    page = felipe.get(pairing.get_absolute_url()).content.decode()
    assert "Met by the export record: 0901 to Germany in 2026." in page


def test_export_records_of_another_firm_cannot_be_deleted(net):
    record = ExportRecord.objects.get(organization=net.ana.profile.organization)
    response = client_for(net.felipe).post(f"/me/exports/{record.pk}/delete/")
    assert response.status_code == 404
    assert ExportRecord.objects.filter(pk=record.pk).exists()


def test_schedule_answer_and_add_a_session_to_the_calendar(net, pairing):
    ana = client_for(net.ana)
    response = ana.post(
        f"/mentoring/pairings/{pairing.pk}/sessions/new/",
        {
            "title": "Primera sesión",
            "local_start": "2027-03-18T10:00",
            "time_zone": "America/New_York",
            "duration_minutes": "45",
        },
        follow=True,
    )
    assert "Session scheduled" in response.content.decode()
    session = Session.objects.get()
    assert session.starts_at.isoformat() == "2027-03-18T14:00:00+00:00"
    ics = client_for(net.felipe).get(f"/sessions/{session.pk}/calendar.ics")
    assert b"TZID=America/New_York:20270318T100000" in ics.content


def test_a_skipped_local_time_is_explained_on_the_form(net, pairing):
    response = client_for(net.ana).post(
        f"/mentoring/pairings/{pairing.pk}/sessions/new/",
        {
            "title": "x",
            "local_start": "2027-03-14T02:30",
            "time_zone": "America/New_York",
            "duration_minutes": "45",
        },
    )
    assert "does not exist in America/New_York" in response.content.decode()
    assert not Session.objects.exists()


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


def test_group_sessions_page_and_outcomes_for_coordinators(net):
    coordinator = client_for(net.coordinator)
    response = coordinator.post(
        f"/clusters/{net.cluster.slug}/sessions/new/",
        {
            "title": "Taller",
            "local_start": "2027-05-01T09:00",
            "time_zone": "America/Bogota",
            "duration_minutes": "90",
            "capacity": "1",
        },
        follow=True,
    )
    assert "Session scheduled" in response.content.decode()
    session = Session.objects.get()
    felipe = client_for(net.felipe)
    assert "Taller" in felipe.get(f"/clusters/{net.cluster.slug}/sessions/").content.decode()
    felipe.post(f"/sessions/{session.pk}/answer/", {"answer": "yes"})
    response = client_for(net.gabi).post(
        f"/sessions/{session.pk}/answer/", {"answer": "yes"}, follow=True
    )
    assert "you are on the waiting list" in response.content.decode()
    assert coordinator.get(f"/clusters/{net.cluster.slug}/outcomes/").status_code == 200
    assert felipe.get(f"/clusters/{net.cluster.slug}/outcomes/").status_code == 404


def test_the_mentoring_home_costs_the_same_queries_with_more_pairings(net):
    def queries():
        client = client_for(net.ana)
        client.get("/mentoring/")  # warm the session
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/mentoring/").status_code == 200
        return len(captured)

    offer(net.ana, net.cluster, capacity=20, products=["0901"], markets=["DE"])
    pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    few = queries()
    for n in range(8):
        follower = add_member(net.cluster, person(f"F{n}"))
        pairing = pairings.request_mentor(follower=follower, offer=net.ana_offer)
        if n % 2:  # half active with a session, half waiting for Ana's answer
            pairing = pairings.accept_pairing(pairing=pairing, by=net.ana)
            sessions.schedule_session(
                by=net.ana,
                pairing=pairing,
                title=f"S{n}",
                local_start=datetime.datetime(2027, 5, 1 + n, 9),
                time_zone="UTC",
                duration_minutes=60,
            )
    many = queries()
    assert many == few, (few, many)
    assert many <= 25


def test_the_mentoring_page_reads_each_line_with_its_list(net, pairing, refetched):
    """Pairings, sessions and guides come with the columns their lines show; a column left
    out would be fetched again for each line while the page renders."""
    declined = pairings.request_mentor(follower=net.gabi, offer=net.ana_offer)
    pairings.decline_pairing(pairing=declined, by=net.ana)
    hugo = add_member(net.cluster, person("Hugo Follower"))
    pairings.request_mentor(follower=hugo, offer=net.ana_offer)
    one_to_one(net.ana, pairing, title="Plan de exportación")
    move_to_past(one_to_one(net.ana, pairing, title="Revisión del contrato"))
    guide = guides.create_guide(
        cluster_id=net.cluster.pk,
        by=net.ana,
        title="Café a Alemania",
        summary="Papeles del primer contenedor.",
        body="Registro REX.",
        language="es",
        products=["0901"],
        markets=["DE"],
    )
    guides.submit_for_review(guide=guide, by=net.ana)
    guides.publish(guide=guide, by=net.coordinator)

    page = client_for(net.felipe).get("/mentoring/").content.decode()
    assert "Mentored by Ana Mentor" in page and "Cafés del Huila" in page
    assert "Plan de exportación" in page and "Revisión del contrato" in page
    assert "Café a Alemania" in page
    page = client_for(net.ana).get("/mentoring/").content.decode()
    assert "Hugo Follower would like you as mentor (Cafés del Huila)" in page
    assert "Mentoring Felipe Follower" in page and "Mentoring Gabi Follower" in page
    nearby = make_cluster(name="Cacao Abierto")  # public, same sector and country
    iris = add_member(nearby, person("Iris Mentor"), role="mentor")
    offer(iris, nearby, products=["1801"], markets=["US"])
    page = client_for(net.gabi).get("/mentoring/").content.decode()  # cacao (1801) to the US
    suggested = page.split('id="suggestions-heading"')[1].split("</section>")[0]
    assert "Bruno Mentor" in suggested and "Cafés del Huila" in suggested
    assert "Iris Mentor" in suggested and f'href="{nearby.get_absolute_url()}"' in suggested
    assert "Join Cacao Abierto to ask" in suggested
    assert refetched == []


def test_a_follower_confirms_a_past_session_and_the_host_sees_it(net, pairing):
    session = sessions.schedule_session(
        by=net.ana,
        pairing=pairing,
        title="Primera sesión",
        local_start=datetime.datetime(2027, 3, 18, 10, 0),
        time_zone="America/New_York",
        duration_minutes=45,
    )
    Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at.replace(year=2025))
    felipe = client_for(net.felipe)
    assert "Sessions to confirm" in felipe.get("/mentoring/").content.decode()
    response = felipe.post(
        f"/sessions/{session.pk}/confirm/",
        {"took_place": "yes", "useful": "yes", "rating": "5", "comment": "Muy clara"},
        follow=True,
    )
    assert "your confirmation is recorded" in response.content.decode()
    assert "Sessions to confirm" not in felipe.get("/mentoring/").content.decode()
    host_page = client_for(net.ana).get(session.get_absolute_url()).content.decode()
    assert "Felipe Follower: took place · useful · 5/5 — “Muy clara”" in host_page


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
