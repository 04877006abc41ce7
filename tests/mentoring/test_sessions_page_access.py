"""A cluster's sessions page: members see it; outsiders of a public cluster learn how to join."""

import pytest
from django.urls import reverse

from network.models import Membership
from tests.factories import UserFactory, make_cluster

pytestmark = pytest.mark.django_db


def _sessions(cluster) -> str:
    return reverse("mentoring:cluster_sessions", args=[cluster.slug])


def test_a_non_member_of_a_public_cluster_is_told_it_is_for_members_and_may_ask_to_join(client):
    cluster = make_cluster(visibility="public")
    client.force_login(UserFactory())
    response = client.get(_sessions(cluster))
    assert response.status_code == 200
    page = response.content.decode()
    assert "For members only" in page
    join = reverse("cluster_join", args=[cluster.slug])
    assert f'action="{join}"' in page
    client.post(join, {"role": "follower"})
    assert Membership.objects.filter(cluster=cluster, status="requested").count() == 1
    assert (
        "Your request is waiting for a coordinator."
        in client.get(_sessions(cluster)).content.decode()
    )


def test_a_private_cluster_stays_404_to_outsiders(client):
    cluster = make_cluster(visibility="private")
    client.force_login(UserFactory())
    assert client.get(_sessions(cluster)).status_code == 404


def test_members_still_see_the_sessions(client):
    cluster = make_cluster(visibility="public")
    coordinator = cluster.memberships.get().user
    client.force_login(coordinator)
    page = client.get(_sessions(cluster)).content.decode()
    assert "For members only" not in page
    assert reverse("mentoring:group_session_new", args=[cluster.slug]) in page
