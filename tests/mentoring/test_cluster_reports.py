"""A coordinator downloads their own cluster's members, engagement and activity as CSV."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forums import services as forums
from network.models import Membership
from tests.factories import UserFactory, add_member, make_cluster
from tests.mentoring.conftest import group_session, move_to_past

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def reports(client, net, pairing):
    forums.start_topic(
        room=forums.forum_of(net.cluster),
        author=net.felipe,
        title="Certificados",
        body="¿Quién emite el certificado?",
    )
    session = move_to_past(group_session(net))
    session.attendances.create(user=net.gabi, answer="yes", answered_at=timezone.now())
    client.force_login(net.coordinator)
    return net


def test_members_export_lists_each_member_with_role_organization_and_join_date(client, reports):
    net = reports
    # A member who chose a formula for a name gets it as text in the spreadsheet.
    add_member(net.cluster, UserFactory(name="=HYPERLINK(1)"))
    add_member(net.cluster, status=Membership.Status.LEFT)  # former members are not listed
    response = client.get(reverse("mentoring:members_csv", args=[net.cluster.slug]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0] == ["Name", "Handle", "Role", "Status", "Organization", "Joined"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {
        "Lucia Coord",
        "Ana Mentor",
        "Bruno Mentor",
        "Felipe Follower",
        "Gabi Follower",
        "'=HYPERLINK(1)",
    }
    assert by_name["Ana Mentor"][2:5] == ["Mentor", "Active", "Ana Café"]
    assert by_name["Ana Mentor"][5] == timezone.localdate().isoformat()


def test_engagement_counts_posts_sessions_and_pairings_by_state(client, reports):
    net = reports
    response = client.get(reverse("mentoring:engagement_csv", args=[net.cluster.slug]))
    rows = _rows(response)
    assert rows[0][:6] == [
        "Name",
        "Handle",
        "Role",
        "Forum posts",
        "Sessions hosted",
        "Sessions attended",
    ]
    assert rows[0][6:] == [
        "Pairings: Requested",
        "Pairings: Proposed by a coordinator",
        "Pairings: Active",
        "Pairings: Completed",
        "Pairings: Ended",
    ]
    by_name = {row[0]: row[3:] for row in rows[1:]}
    assert by_name["Felipe Follower"] == ["1", "0", "0", "0", "0", "1", "0", "0"]
    assert by_name["Ana Mentor"] == ["0", "0", "0", "0", "0", "1", "0", "0"]
    assert by_name["Lucia Coord"][:3] == ["0", "1", "0"]
    assert by_name["Gabi Follower"][:3] == ["0", "0", "1"]


def test_the_engagement_export_costs_the_same_queries_for_more_members(client, reports):
    net = reports
    url = reverse("mentoring:engagement_csv", args=[net.cluster.slug])
    with CaptureQueriesContext(connection) as few:
        _rows(client.get(url))
    for _n in range(15):
        add_member(net.cluster)
    with CaptureQueriesContext(connection) as many:
        assert len(_rows(client.get(url))) == 21
    assert len(many) == len(few)


def test_the_activity_summary_counts_only_the_chosen_dates(client, reports):
    net = reports
    page = client.get(reverse("mentoring:cluster_reports", args=[net.cluster.slug]))
    assert page.status_code == 200
    activity = dict(page.context["activity"])
    assert activity["Forum topics started"] == 1
    assert activity["Sessions held"] == 1 and activity["Pairings started"] == 1
    url = reverse("mentoring:activity_csv", args=[net.cluster.slug])
    long_ago = {"start": "2020-01-01", "end": "2020-12-31"}
    rows = _rows(client.get(url, long_ago))
    assert rows[0] == ["", "2020-01-01 / 2020-12-31"]
    assert all(row[1] == "0" for row in rows[1:])
    today = timezone.localdate()
    rows = _rows(client.get(url, {"start": today.isoformat(), "end": today.isoformat()}))
    assert dict((row[0], row[1]) for row in rows[1:])["Forum topics started"] == "1"


@pytest.mark.parametrize(
    "dates",
    [{"start": "2024-05-01", "end": "2024-01-01"}, {"start": "nonsense", "end": "2024-01-01"}],
)
def test_wrong_dates_are_explained_and_the_default_period_shown(client, reports, dates):
    net = reports
    page = client.get(reverse("mentoring:cluster_reports", args=[net.cluster.slug]), dates)
    assert page.status_code == 200
    assert page.context["form"].errors
    assert page.context["period"].end == timezone.localdate()
    assert page.context["period"].start == timezone.localdate() - datetime.timedelta(days=89)


@pytest.mark.parametrize("who", ["ana", "felipe", "outsider", "other_coordinator"])
def test_only_this_clusters_coordinators_download(client, reports, who):
    net = reports
    if who == "other_coordinator":
        person = UserFactory()
        make_cluster(coordinator=person)
    else:
        person = getattr(net, who)
    client.force_login(person)
    for name in ("cluster_reports", "members_csv", "engagement_csv", "activity_csv"):
        url = reverse(f"mentoring:{name}", args=[net.cluster.slug])
        assert client.get(url).status_code == 404


def test_the_date_pickers_show_the_period_summarised(client, reports):
    net = reports
    page = client.get(reverse("mentoring:cluster_reports", args=[net.cluster.slug]))
    today = timezone.localdate()
    html = page.content.decode()
    assert f'name="end" value="{today.isoformat()}"' in html
    start = (today - datetime.timedelta(days=89)).isoformat()
    assert f'name="start" value="{start}"' in html
