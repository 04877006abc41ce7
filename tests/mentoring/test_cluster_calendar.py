"""One calendar per cluster: every sponsoring agency's programmes and the group sessions,
overlaps named, as a page and as a private iCal feed; 404 to anyone outside."""

import datetime

import pytest
from django.test import Client
from icalendar import Calendar

from incentives.models import Programme
from mentoring.selectors import cluster_calendar as calendars
from mentoring.services import calendars as feeds
from mentoring.services import sessions
from tests.factories import AgencyFactory, OfficerFactory, UserFactory
from tests.incentives.conftest import build
from tests.incentives.test_cosponsoring import second_sponsor

NEXT_YEAR = datetime.date.today().year + 1


@pytest.fixture
def setting(db):
    return build()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def workshop(setting, title, hour):
    return sessions.schedule_session(
        by=setting.coordinator,
        cluster=setting.cluster,
        title=title,
        local_start=datetime.datetime(NEXT_YEAR, 5, 6, hour, 0),
        time_zone="America/Bogota",
        duration_minutes=90,
    )


def test_every_agencys_programmes_and_the_sessions_are_on_one_calendar(setting):
    second_sponsor(setting)
    workshop(setting, "Taller de costos", 9)
    workshop(setting, "Taller de Incoterms", 10)  # starts before the first ends
    workshop(setting, "Taller de logística", 14)
    items = calendars.cluster_calendar(setting.cluster)
    kinds = {(item.kind, item.title) for item in items}
    assert {("programme", "Mentores 2026"), ("programme", "Crédito 2026")} <= kinds
    assert ("deadline", "Crédito 2026") in kinds
    by_title = {item.title: item for item in items if item.kind == "session"}
    assert by_title["Taller de costos"].overlaps == ["Taller de Incoterms"]
    assert by_title["Taller de logística"].overlaps == []
    [mine] = [i for i in items if i.kind == "programme" and i.title == "Mentores 2026"]
    assert mine.overlaps == ["Crédito 2026 (Crédito Exportador)"]
    assert mine.agency == "Agencia Andina" and mine.detail == "Mentoring incentives"


def test_members_and_sponsoring_officers_see_it_and_nobody_else(setting):
    _agency, other_officer, _programme = second_sponsor(setting)
    url = f"/clusters/{setting.cluster.slug}/calendar/"
    for user in (setting.follower, setting.coordinator, setting.officer, other_officer):
        page = client_for(user).get(url)
        assert page.status_code == 200, user
        content = page.content.decode()
        assert "Mentores 2026" in content and "Crédito 2026" in content
        assert "1,000.00" not in content and "777" not in content  # never the money
    stranger = OfficerFactory(organization=AgencyFactory(name="Lejana"))
    for user in (UserFactory(), stranger):
        assert client_for(user).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_an_empty_calendar_says_so(db):
    setting = build()
    # The only programme ended long ago, and no session is planned.
    Programme.objects.filter(pk=setting.programme.pk).update(
        starts_on=datetime.date(2000, 1, 1), ends_on=datetime.date(2000, 12, 31)
    )
    page = client_for(setting.follower).get(f"/clusters/{setting.cluster.slug}/calendar/")
    assert "Nothing on the calendar yet" in page.content.decode()


def test_the_ical_feed_holds_the_same_calendar_behind_the_private_token(setting):
    second_sponsor(setting)
    workshop(setting, "Taller de costos", 9)
    token = feeds.ensure_feed(user=setting.follower).token
    response = Client().get(f"/calendar/{token}/{setting.cluster.slug}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    summaries = {str(event["summary"]) for event in parsed.walk("VEVENT")}
    assert "Taller de costos" in summaries
    assert "Mentores 2026 (Agencia Andina)" in summaries
    assert "Last day of Crédito 2026 (Crédito Exportador)" in summaries
    # A wrong or replaced token, or a cluster the holder may not see: nothing there.
    assert Client().get(f"/calendar/nope/{setting.cluster.slug}.ics").status_code == 404
    outsider = feeds.ensure_feed(user=UserFactory()).token
    assert Client().get(f"/calendar/{outsider}/{setting.cluster.slug}.ics").status_code == 404
    feeds.revoke_feed(user=setting.follower)
    assert Client().get(f"/calendar/{token}/{setting.cluster.slug}.ics").status_code == 404


def test_officers_outside_the_cluster_see_sessions_as_times_taken_not_what_they_are(setting):
    workshop(setting, "Taller de costos", 9)
    workshop(setting, "Taller de Incoterms", 10)
    url = f"/clusters/{setting.cluster.slug}/calendar/"
    assert "Taller de costos" in client_for(setting.follower).get(url).content.decode()
    page = client_for(setting.officer).get(url).content.decode()
    assert "Taller de" not in page
    assert page.count("Group session") >= 2 and "Overlaps with:" in page
    token = feeds.ensure_feed(user=setting.officer).token
    feed = Client().get(f"/calendar/{token}/{setting.cluster.slug}.ics").content.decode()
    assert "Taller de" not in feed and "SUMMARY:Group session" in feed


def test_the_cluster_feeds_token_is_redacted_from_logs_like_the_personal_feeds():
    from core.log_filters import redact

    assert redact("Not Found: /calendar/Tok3n-_x/cafe-huila.ics") == (
        "Not Found: /calendar/[private]/cafe-huila.ics"
    )
