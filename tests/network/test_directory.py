"""The member directory: filters, keyset pages, and a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network.models import ExportMarket, ExportProduct, Membership
from network.selectors import DirectoryFilters, member_directory
from tests.factories import OrganizationFactory, UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db


def _person(cluster, name, *, role="follower", country="CO", products=(), markets=(), tags=()):
    user = add_member(cluster, role=role)
    organization = OrganizationFactory(country=country)
    for code in products:
        ExportProduct.objects.create(organization=organization, hs_code=code)
    for market in markets:
        ExportMarket.objects.create(organization=organization, country=market)
    profile = user.profile
    profile.display_name, profile.organization = name, organization
    profile.save()
    profile.expertise.set(list(tags))
    return user


def _names(page):
    return [profile.display_name for profile in page.items]


@pytest.fixture
def network():
    cluster = make_cluster()
    cluster.memberships.update()  # the coordinator stays, named below
    coordinator = cluster.memberships.get().user
    coordinator.profile.display_name = "Zoe Coordinator"
    coordinator.profile.save()
    _person(cluster, "Ana", role="mentor", products=["0901"], markets=["DE"], tags=["cold chain"])
    _person(cluster, "Bruno", country="BR", products=["0804"], markets=["US"])
    _person(cluster, "Carla", role="mentor", country="PE", products=["0902"], tags=["cold chain"])
    return cluster


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (DirectoryFilters(), ["Ana", "Bruno", "Carla", "Zoe Coordinator"]),
        (DirectoryFilters(role="mentor"), ["Ana", "Carla"]),
        (DirectoryFilters(country="BR"), ["Bruno"]),
        (DirectoryFilters(product="0901"), ["Ana"]),
        (DirectoryFilters(product="09"), ["Ana", "Carla"]),
        (DirectoryFilters(market="US"), ["Bruno"]),
        (DirectoryFilters(tag="cold-chain"), ["Ana", "Carla"]),
        (DirectoryFilters(role="mentor", country="PE"), ["Carla"]),
    ],
)
def test_directory_filters(network, filters, expected):
    page = member_directory(viewer=UserFactory(), cluster=network, filters=filters)
    assert _names(page) == expected


def test_directory_pages_by_keyset_without_repeats(network):
    viewer = UserFactory()
    seen, cursor = [], None
    while True:
        page = member_directory(viewer=viewer, cluster=network, per_page=3, after=cursor)
        seen += _names(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["Ana", "Bruno", "Carla", "Zoe Coordinator"]


def test_unreadable_cursor_starts_from_first_page(network):
    page = member_directory(viewer=UserFactory(), cluster=network, after="not-a-cursor")
    assert page.is_first and _names(page)[0] == "Ana"


def test_bad_product_filter_is_explained(client, network):
    response = client.get(reverse("cluster_members", args=[network.slug]), {"product": "0199"})
    assert response.status_code == 200
    assert b"Enter a 2-digit HS chapter" in response.content


def _fill(cluster, count):
    for i in range(count):
        _person(cluster, f"Member {i:03}", products=["0901"], tags=["coffee", f"tag{i}"])


@pytest.mark.parametrize("size", [5, 60])
def test_directory_page_queries_do_not_grow_with_members(
    client, django_assert_max_num_queries, size
):
    cluster = make_cluster()
    _fill(cluster, size)
    client.force_login(cluster.memberships.filter(role=Membership.Role.COORDINATOR).get().user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cluster_members", args=[cluster.slug]))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("directory"), {"product": "09"}).status_code == 200


@pytest.mark.parametrize("size", [3, 40])
def test_cluster_list_queries_do_not_grow_with_clusters(
    client, django_assert_max_num_queries, size
):
    coordinator = UserFactory()
    for i in range(size):
        make_cluster(coordinator=coordinator, name=f"Cluster {i:03}")
    client.force_login(coordinator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cluster_list"))
    assert response.status_code == 200


def test_my_network_queries_do_not_grow_with_clusters(client):
    """A coordinator of many clusters costs My network what a coordinator of one does."""
    coordinator = UserFactory()
    client.force_login(coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home")).status_code == 200
        return len(captured)

    for i in range(3):
        add_member(make_cluster(coordinator=coordinator, name=f"C{i}"), UserFactory())
    few = queries()
    for i in range(3, 40):
        add_member(make_cluster(coordinator=coordinator, name=f"C{i}"), UserFactory())
    assert queries() == few
    assert few <= 45


@pytest.mark.parametrize("cursor", ["WyJhIiwgIngiXQ", "W251bGwsIDFd", "e30", "!!!"])
def test_cursor_with_wrong_values_starts_over_instead_of_failing(client, network, cursor):
    response = client.get(reverse("cluster_members", args=[network.slug]), {"after": cursor})
    assert response.status_code == 200
    assert "Ana" in response.content.decode()
    assert client.get(reverse("directory"), {"after": cursor}).status_code == 200


@pytest.mark.parametrize("size", [2, 30])
def test_landing_and_manage_pages_queries_do_not_grow(client, django_assert_max_num_queries, size):
    from tests.factories import AgencyFactory

    coordinator = UserFactory()
    agency = AgencyFactory()
    clusters = [
        make_cluster(coordinator=coordinator, name=f"Cluster {i:03}", sponsor=agency)
        for i in range(size)
    ]
    _fill(clusters[0], size)
    for _ in range(size):
        add_member(clusters[0], status="requested")
    with django_assert_max_num_queries(4):
        assert client.get(reverse("home")).status_code == 200
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("cluster_manage", args=[clusters[0].slug]))
    assert response.status_code == 200
