"""Who sees which cluster page: every role, non-members and anonymous visitors."""

import pytest
from django.urls import reverse

from network.models import Membership
from tests.factories import UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db

Role, Status = Membership.Role, Membership.Status

READ_PAGES = ["cluster", "cluster_members"]
COORDINATOR_PAGES = ["cluster_manage", "cluster_edit"]

# viewer -> (read pages of a private cluster, coordinator pages of a private cluster)
PRIVATE_EXPECTATIONS = {
    "anonymous": (404, 404),
    "non-member": (404, 404),
    "requested": (404, 404),
    "invited": (404, 404),
    "suspended": (404, 404),
    "left": (404, 404),
    "follower": (200, 403),
    "mentor": (200, 403),
    "observer": (200, 403),
    "coordinator": (200, 200),
}
PUBLIC_EXPECTATIONS = {
    "anonymous": (200, 302),  # coordinator pages send visitors to sign in
    "non-member": (200, 403),
    "follower": (200, 403),
    "mentor": (200, 403),
    "observer": (200, 403),
    "coordinator": (200, 200),
}


def _viewer(cluster, kind):
    if kind == "anonymous":
        return None
    if kind == "non-member":
        return UserFactory()
    if kind in {"requested", "invited", "suspended", "left"}:
        return add_member(cluster, status=kind)
    return add_member(cluster, role=kind)


def _check(client, cluster, kind, expected):
    viewer = _viewer(cluster, kind)
    if viewer is not None:
        client.force_login(viewer)
    read, manage = expected
    for name in READ_PAGES:
        assert client.get(reverse(name, args=[cluster.slug])).status_code == read, (kind, name)
    for name in COORDINATOR_PAGES:
        assert client.get(reverse(name, args=[cluster.slug])).status_code == manage, (kind, name)


@pytest.mark.parametrize("kind", list(PRIVATE_EXPECTATIONS))
def test_private_cluster_pages_by_viewer(client, kind):
    cluster = make_cluster(visibility="private")
    _check(client, cluster, kind, PRIVATE_EXPECTATIONS[kind])


@pytest.mark.parametrize("kind", list(PUBLIC_EXPECTATIONS))
def test_public_cluster_pages_by_viewer(client, kind):
    cluster = make_cluster(visibility="public")
    _check(client, cluster, kind, PUBLIC_EXPECTATIONS[kind])


def test_outsider_gets_404_for_every_private_cluster_url(client):
    cluster = make_cluster(visibility="private")
    member = add_member(cluster)
    membership = Membership.objects.get(user=member, cluster=cluster)
    client.force_login(UserFactory())
    posts = [
        reverse("cluster_join", args=[cluster.slug]),
        reverse("cluster_leave", args=[cluster.slug]),
        reverse("cluster_invite", args=[cluster.slug]),
        reverse("membership_action", args=[cluster.slug, membership.pk, "suspend"]),
    ]
    for url in posts:
        assert client.post(url, {"role": "follower", "email": "x@example.org"}).status_code == 404
    membership.refresh_from_db()
    assert membership.status == Status.ACTIVE
    assert not Membership.objects.filter(cluster=cluster, status=Status.REQUESTED).exists()


def test_private_cluster_absent_from_lists_and_search(client):
    private = make_cluster(visibility="private", name="Hidden Cacao Circle")
    make_cluster(visibility="public", name="Open Coffee Circle")
    client.force_login(UserFactory())
    listing = client.get(reverse("cluster_list"), {"q": "Circle"}).content.decode()
    assert "Open Coffee Circle" in listing
    assert "Hidden Cacao Circle" not in listing
    assert private.slug not in client.get(reverse("home")).content.decode()


def test_members_of_private_cluster_see_it_listed(client):
    private = make_cluster(visibility="private", name="Hidden Cacao Circle")
    member = add_member(private)
    client.force_login(member)
    assert "Hidden Cacao Circle" in client.get(reverse("cluster_list")).content.decode()


def test_private_cluster_member_profile_hidden_from_outsiders(client):
    private = make_cluster(visibility="private")
    member = add_member(private)
    assert client.get(reverse("person", args=[member.pk])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("person", args=[member.pk])).status_code == 404
    fellow = add_member(private)
    client.force_login(fellow)
    assert client.get(reverse("person", args=[member.pk])).status_code == 200


def test_public_cluster_member_profile_visible_to_everyone(client):
    public = make_cluster(visibility="public")
    member = add_member(public)
    assert client.get(reverse("person", args=[member.pk])).status_code == 200


def test_private_member_absent_from_network_directory_for_outsiders(client):
    private = make_cluster(visibility="private")
    member = add_member(private)
    member.profile.display_name = "Secret Grower"
    member.profile.save()
    assert "Secret Grower" not in client.get(reverse("directory")).content.decode()
    client.force_login(member)
    assert "Secret Grower" in client.get(reverse("directory")).content.decode()
