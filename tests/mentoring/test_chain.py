"""The knowledge chain: generations from who mentored whom (cycle-safe), counts per
generation, bounded queries, and the pages for coordinators (names) and officers (counts)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.chain import Link, by_generation, generations
from mentoring.models import ExportRecord, Pairing
from mentoring.selectors.chain import knowledge_chain, suppressed
from mentoring.services import offers, pairings
from tests.factories import OrganizationFactory, UserFactory, add_member
from tests.incentives.conftest import build, member_of

Y = timezone.now().year


@pytest.mark.pure
def test_generations_follow_who_mentored_whom():
    # 1 mentors 2 and 3; 2 mentors 4; 4 mentors 5; 6 mentors 5 as well (5 is reached at 2).
    edges = [(1, 2), (1, 3), (2, 4), (4, 5), (6, 5)]
    assert generations(edges) == {1: 1, 6: 1, 2: 2, 3: 2, 5: 2, 4: 3}


@pytest.mark.pure
def test_generations_are_defined_for_circles():
    # Two people mentoring each other in turn, nobody outside: the lower id starts.
    assert generations([(8, 7), (7, 8)]) == {7: 1, 8: 2}
    # A circle hanging off a root is reached from it.
    assert generations([(1, 2), (2, 3), (3, 2)]) == {1: 1, 2: 2, 3: 3}
    assert generations([(4, 4)]) == {4: 1}
    assert generations([]) == {}


@pytest.mark.pure
def test_counts_per_generation_graduates_and_first_exports():
    links = [Link(1, 2, 2021), Link(2, 3, 2023), Link(2, 4, 2023), Link(1, 5, 2024)]
    # Firms: 2's firm first exported 2022 (after 2021: helped); 3's in 2024 (helped);
    # 4's in 2020, before its mentoring began (not counted); 5's never.
    rows = by_generation(
        links,
        firm_of={1: 10, 2: 20, 3: 30, 4: 40, 5: 50},
        first_export={20: 2022, 30: 2024, 40: 2020},
    )
    assert [(r.number, r.people, r.mentoring) for r in rows] == [
        (1, [1], [1]),
        (2, [2, 5], [2]),
        (3, [3, 4], []),
    ]
    assert [r.graduates_mentoring for r in rows] == [0, 1, 0]
    assert [r.firms_first_export for r in rows] == [{20}, {30}, set()]


@pytest.mark.pure
def test_small_counts_of_firms_are_suppressed_for_agencies():
    assert [suppressed(n) for n in (0, 1, 4, 5, 9)] == [0, None, None, 5, 9]


def _paired(mentor, follower, cluster, started):
    offer = offers.save_offer(user=mentor, cluster=cluster, capacity=5, accepts_competitors=True)
    pairing = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=follower, offer=offer), by=mentor
    )
    Pairing.objects.filter(pk=pairing.pk).update(
        started_at=datetime.datetime(started, 3, 1, tzinfo=datetime.UTC)
    )
    return pairing


def arrange_chain():
    """Mateo mentored Fabi (2022); Fabi's firm first exported in 2023 and Fabi, a mentor now,
    mentors Nico (2024): three generations in the cluster."""
    setting = build()
    _paired(setting.mentor, setting.follower, setting.cluster, Y - 3)
    ExportRecord.objects.create(
        organization=setting.follower.profile.organization,
        year=Y - 2,
        hs_code="0901",
        country="US",
        value_band="lt10k",
    )
    nico = add_member(setting.cluster, member_of(OrganizationFactory(), "Nico Nuevo"))
    setting.cluster.memberships.filter(user=setting.follower).update(role="mentor")
    _paired(setting.follower, nico, setting.cluster, Y - 1)
    setting.nico = nico
    return setting


@pytest.fixture
def chain_world(db):
    return arrange_chain()


def test_the_selector_reads_the_chain_in_a_fixed_number_of_queries(
    chain_world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        chain = knowledge_chain([chain_world.cluster.pk], with_names=True)
        rows = [(r.number, len(r.people), r.graduates_mentoring) for r in chain.generations]
    assert rows == [(1, 1, 0), (2, 1, 1), (3, 1, 0)]
    assert chain.depth == 3 and chain.graduates_mentoring == 1 and chain.firms_first_export == 1
    assert chain.names[chain_world.nico.pk] == "Nico Nuevo"
    assert knowledge_chain([chain_world.cluster.pk]).names == {}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_coordinator_sees_names_and_the_diagram(chain_world):
    url = reverse("mentoring:cluster_chain", args=[chain_world.cluster.slug])
    page = _client(chain_world.coordinator).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    start = body.index('aria-labelledby="chain-title"')
    svg = body[start : body.index("</svg>", start)]
    assert "<script" not in svg and "Nico Nuevo" in svg
    assert "Nico Nuevo" in body and "Fabi Follower" in body
    # Members who do not run the cluster, and officers, are not shown it.
    assert _client(chain_world.mentor).get(url).status_code == 404
    assert _client(chain_world.officer).get(url).status_code == 404


def test_a_hostile_name_is_text_in_the_diagram(chain_world):
    profile = chain_world.nico.profile
    profile.display_name = '<script>alert(1)</script>"/><text>'
    profile.save()
    page = _client(chain_world.coordinator).get(
        reverse("mentoring:cluster_chain", args=[chain_world.cluster.slug])
    )
    body = page.content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert(1)" in body


def test_the_officer_sees_counts_without_names_and_small_firm_counts_suppressed(chain_world):
    url = reverse("mentoring:programme_chain", args=[chain_world.programme.pk])
    page = _client(chain_world.officer).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body
    for name in ("Nico Nuevo", "Fabi Follower", "Mateo Mentor"):
        assert name not in body
    assert "fewer than 5" in body  # one firm helped to a first export: not shown as 1
    assert _client(chain_world.coordinator).get(url).status_code == 404
    # The programme page links to the diagram.
    programme = _client(chain_world.officer).get(chain_world.programme.get_absolute_url())
    assert url in programme.content.decode()


def test_empty_chains_say_so(db):
    setting = build()
    page = _client(setting.coordinator).get(
        reverse("mentoring:cluster_chain", args=[setting.cluster.slug])
    )
    assert page.status_code == 200 and b"empty-state" in page.content
    page = _client(setting.officer).get(
        reverse("mentoring:programme_chain", args=[setting.programme.pk])
    )
    assert page.status_code == 200 and b"empty-state" in page.content


def test_nobody_outside_reaches_the_pages(chain_world):
    outsider = UserFactory()
    assert (
        _client(outsider)
        .get(reverse("mentoring:programme_chain", args=[chain_world.programme.pk]))
        .status_code
        == 404
    )
