"""Cluster-only guides and drafts are 404 to those outside; network-wide guides reach all."""

import pytest

from guides import selectors
from tests.factories import PASSWORD
from tests.guides.conftest import draft, published

pytestmark = pytest.mark.django_db


def _pages(guide):
    base = f"/guides/{guide.pk}"
    return [f"{base}/", f"{base}/versions/", f"{base}/versions/1/", f"{base}/compare/?from=1"]


def test_cluster_only_guide_is_404_to_outsiders_and_visitors(client, library):
    guide = published(library, visibility="cluster")
    for url in _pages(guide):
        assert client.get(url).status_code == 404, url
    assert client.login(email=library.outsider.email, password=PASSWORD)
    for url in _pages(guide):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/guides/{guide.pk}/useful/").status_code == 404
    assert client.post(f"/guides/{guide.pk}/correct/", {"text": "x"}).status_code == 404
    assert client.login(email=library.follower.email, password=PASSWORD)
    assert client.get(guide.get_absolute_url()).status_code == 200


def test_network_wide_guide_is_read_by_anyone(client, library):
    guide = published(library, visibility="network")
    assert client.get(guide.get_absolute_url()).status_code == 200
    assert client.login(email=library.outsider.email, password=PASSWORD)
    assert client.get(guide.get_absolute_url()).status_code == 200


def test_drafts_are_404_to_members_who_are_not_authors_or_coordinators(client, library):
    guide = draft(library)
    assert client.login(email=library.follower.email, password=PASSWORD)
    assert client.get(guide.get_absolute_url()).status_code == 404
    assert client.get(f"/guides/{guide.pk}/draft/").status_code == 404
    assert client.login(email=library.coordinator.email, password=PASSWORD)
    assert client.get(f"/guides/{guide.pk}/draft/").status_code == 200


def test_lists_search_and_related_guides_leave_out_what_the_reader_may_not_see(library):
    hidden = published(library, visibility="cluster", title="Coffee private")
    shared = published(library, visibility="network", title="Coffee shared")
    draft(library, title="Coffee unpublished")
    outsider, member = library.outsider, library.follower
    assert selectors.library(viewer=outsider).items == [shared]
    assert set(selectors.library(viewer=member).items) == {hidden, shared}
    assert selectors.search(viewer=outsider, q="Coffee") == [shared]
    assert selectors.guides_for(viewer=outsider, markets="DE") == [shared]
