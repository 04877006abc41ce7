"""A coordinator writes to the whole cluster: every active member is told in the app, live
and by email as they chose; suspended, invited and former members get nothing."""

import pytest
from django.urls import reverse

from core import realtime
from core.errors import DomainError, NotAllowed
from forums import services
from forums.models import Announcement, EmailPreference, Notification
from network.models import Membership
from tests.factories import UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db

Role, Status = Membership.Role, Membership.Status


@pytest.fixture
def cluster_people():
    coordinator = UserFactory(name="Lucía Coordinadora")
    cluster = make_cluster(coordinator=coordinator, name="Café del Huila")
    people = {
        "coordinator": coordinator,
        "mentor": add_member(cluster, role=Role.MENTOR),
        "follower": add_member(cluster),
        "quiet": add_member(cluster),  # keeps announcements out of their inbox
        "suspended": add_member(cluster, status=Status.SUSPENDED),
        "former": add_member(cluster, status=Status.LEFT),
        "invited": add_member(cluster, status=Status.INVITED),
        "elsewhere": add_member(make_cluster()),
    }
    EmailPreference.objects.create(user=people["quiet"], announcements=False)
    return cluster, people


@pytest.fixture
def live(monkeypatch):
    sent = []
    monkeypatch.setattr(realtime, "send", lambda group, message: sent.append((group, message)))
    return sent


def test_every_active_member_is_told_in_the_app_live_and_by_email_as_they_chose(
    cluster_people, live, commit, mailoutbox
):
    cluster, people = cluster_people
    with commit():
        announcement = services.announce(
            cluster=cluster,
            by=people["coordinator"],
            title="Feria en Bogotá",
            body="**Inscripciones** hasta el viernes. <script>alert(1)</script>",
        )
    told = {"mentor", "follower", "quiet"}
    ids = {people[key].pk for key in told}
    assert set(Notification.objects.values_list("recipient", flat=True)) == ids
    assert announcement.recipient_count == 3
    # Sanitised as posts are: the Markdown rendered, the script gone.
    assert "<strong>Inscripciones</strong>" in announcement.body_html
    assert "<script" not in announcement.body_html
    toasts = {
        group: message["event"]
        for group, message in live
        if message["event"]["type"] == "announcement"
    }
    assert set(toasts) == {realtime.member_group(pk) for pk in ids}
    event = toasts[realtime.member_group(people["mentor"].pk)]
    assert event == {
        "type": "announcement",
        "text": "Café del Huila: Feria en Bogotá",
        "url": announcement.get_absolute_url(),
    }
    badges = [m["event"] for g, m in live if m["event"]["type"] == "notifications"]
    assert len(badges) == 3 and all(badge["unread"] == 1 for badge in badges)
    emailed = sorted(message.to[0] for message in mailoutbox)
    assert emailed == sorted([people["mentor"].email, people["follower"].email])
    assert "Feria en Bogotá" in mailoutbox[0].subject
    assert "Inscripciones" in mailoutbox[0].body


def test_nothing_leaves_before_commit_and_a_refusal_sends_nothing(cluster_people, live, commit):
    cluster, people = cluster_people
    with pytest.raises(DomainError):
        services.announce(cluster=cluster, by=people["coordinator"], title=" ", body="x")
    with pytest.raises(DomainError):
        services.announce(cluster=cluster, by=people["coordinator"], title="t", body=" ")
    with pytest.raises(DomainError):
        services.announce(cluster=cluster, by=people["coordinator"], title="t" * 201, body="x")
    assert live == [] and not Announcement.objects.exists()


@pytest.mark.parametrize("who", ["mentor", "follower", "former", "suspended", "elsewhere"])
def test_only_the_clusters_active_coordinators_announce(cluster_people, who):
    cluster, people = cluster_people
    with pytest.raises(NotAllowed):
        services.announce(cluster=cluster, by=people[who], title="Hola", body="Hola")
    assert not Announcement.objects.exists()


def test_members_read_announcements_on_the_cluster_page_and_others_do_not(
    client, cluster_people, commit
):
    cluster, people = cluster_people
    with commit():
        announcement = services.announce(
            cluster=cluster, by=people["coordinator"], title="Feria en Bogotá", body="Hola"
        )
    client.force_login(people["follower"])
    page = client.get(cluster.get_absolute_url()).content.decode()
    assert "Feria en Bogotá" in page
    assert client.get(announcement.get_absolute_url()).status_code == 200
    inbox = client.get(reverse("forums:notifications")).content.decode()
    assert "Café del Huila: Feria en Bogotá" in inbox
    for outsider in ("suspended", "former", "elsewhere"):
        client.force_login(people[outsider])
        assert "Feria en Bogotá" not in client.get(cluster.get_absolute_url()).content.decode()
        assert client.get(announcement.get_absolute_url()).status_code == 404
        url = reverse("forums:announcements", args=[cluster.slug])
        assert client.get(url).status_code == 404


def test_a_coordinator_writes_one_from_the_page(client, cluster_people, commit):
    cluster, people = cluster_people
    client.force_login(people["coordinator"])
    url = reverse("forums:announcements", args=[cluster.slug])
    assert "No announcements yet" in client.get(url).content.decode()
    with commit():
        response = client.post(url, {"title": "Feria", "body": "Nos vemos el jueves."})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Announcement sent to 3 members." in page
    client.force_login(people["follower"])
    assert client.post(url, {"title": "Yo", "body": "también"}).status_code == 404
    assert Announcement.objects.count() == 1


def test_the_live_badge_counts_each_members_unread_notices_up_to_its_cap(
    cluster_people, live, commit
):
    cluster, people = cluster_people
    with commit():
        first = services.announce(cluster=cluster, by=people["coordinator"], title="1", body="a")
    # Before the next notice the mentor has 120 unread, the follower 1, and the quiet member
    # none: their one notice is read.
    Notification.objects.bulk_create(
        Notification(recipient=people["mentor"], kind="announcement", announcement=first)
        for _ in range(119)
    )
    Notification.objects.filter(recipient=people["quiet"]).update(read_at=first.created_at)
    live.clear()
    with commit():
        services.announce(cluster=cluster, by=people["coordinator"], title="2", body="b")
    badges = {
        group: message["event"]["unread"]
        for group, message in live
        if message["event"]["type"] == "notifications"
    }
    assert badges == {
        realtime.member_group(people["mentor"].pk): 100,  # shown as 99+
        realtime.member_group(people["follower"].pk): 2,
        realtime.member_group(people["quiet"].pk): 1,
    }
