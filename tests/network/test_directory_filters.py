"""A directory filter matches what people type, and one that cannot match says so."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.network.test_directory import network  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _people(client, **query) -> tuple[str, list[str]]:
    page = client.get(reverse("directory"), query).content.decode()
    names = [name for name in ("Ana", "Bruno", "Carla", "Zoe Coordinator") if name in page]
    return page, names


@pytest.mark.parametrize("typed", ["cold chain", "Cold Chain", "cold-chain", " COLD  chain "])
def test_expertise_matches_whatever_the_case_spaces_or_hyphens(client, network, typed):  # noqa: F811
    client.force_login(UserFactory())
    _page, names = _people(client, tag=typed)
    assert names == ["Ana", "Carla"]


def test_an_expertise_nobody_lists_says_so_and_lists_nobody(client, network):  # noqa: F811
    client.force_login(UserFactory())
    page, names = _people(client, tag="specialty coffee")
    assert names == []
    assert "Nobody lists “specialty coffee” as expertise." in page


def test_a_filter_that_cannot_hold_is_named_and_the_others_still_apply(client, network):  # noqa: F811
    client.force_login(UserFactory())
    page, names = _people(client, product="coffee", role="mentor")
    assert names == ["Ana", "Carla"]
    assert "Product (HS code) not applied:" in page


def test_the_live_results_name_the_unmatched_filter_too(client, network):  # noqa: F811
    client.force_login(UserFactory())
    page = client.get(reverse("directory"), {"tag": "specialty coffee"}, HTTP_HX_REQUEST="true")
    assert "Nobody lists “specialty coffee” as expertise." in page.content.decode()
