"""A firm's diagnostic tells where it is weak: matching weighs it only when the firm shares
it with mentors, and only the follower reads a reason drawn from it."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mentoring.models import Pairing
from mentoring.selectors.matching import follower_facts
from mentoring.services import offers
from readiness.services import assessments
from tests.factories import ClusterFactory, OrganizationFactory, UserFactory, add_member
from tests.readiness.conftest import take

pytestmark = pytest.mark.django_db

WEAKEST = "strong in logistics and customs, your weakest dimension"


@pytest.fixture
def cluster(db):
    return ClusterFactory(coordinator=UserFactory(name="Carla"), name="Café del Huila")


@pytest.fixture
def firm_person(cluster):
    return add_member(cluster, UserFactory(name="Fabi", organization=OrganizationFactory()))


def _page(user, url) -> str:
    client = Client()
    client.force_login(user)
    with translation.override("en"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def _mentor(cluster):
    mentor = add_member(cluster, UserFactory(name="Lucía"), role="mentor")
    offers.save_offer(user=mentor, cluster=cluster, capacity=2, strengths=["logistics"])
    return mentor


def test_an_unshared_diagnostic_is_not_weighed_in_matching(cluster, firm_person):
    result = take(firm_person, level=3, levels={"logistics": 0})
    (facts,) = follower_facts([firm_person], cluster_ids={})
    assert facts.weak_dimensions == ()
    assessments.set_sharing(assessment=result, by=firm_person, shared=True)
    (facts,) = follower_facts([firm_person], cluster_ids={})
    assert facts.weak_dimensions[0] == "logistics"


@pytest.mark.parametrize("shared", [False, True])
def test_the_cohort_page_never_tells_the_coordinator_a_firms_weak_dimension(
    cluster, firm_person, shared
):
    result = take(firm_person, level=3, levels={"logistics": 0})
    assessments.set_sharing(assessment=result, by=firm_person, shared=shared)
    _mentor(cluster)
    coordinator = cluster.memberships.get(role="coordinator").user
    html = _page(coordinator, reverse("mentoring:cohort", args=[cluster.slug]))
    cells = re.findall(r'cohort-why">(.*?)</td>', html, re.S)
    assert cells  # the pair is proposed, with its reasons
    assert not any("logistics" in cell for cell in cells), cells


def test_only_the_follower_reads_the_diagnostic_reason_of_their_pairing(cluster, firm_person):
    mentor = _mentor(cluster)
    pairing = Pairing.objects.create(
        cluster=cluster,
        offer=mentor.mentor_offers.get(),
        mentor=mentor,
        follower=firm_person,
        status="active",
        reasons=[{"code": "strength", "dimension": "logistics", "weakest": True}],
    )
    assert WEAKEST in _page(firm_person, pairing.get_absolute_url())
    assert "logistics" not in _page(mentor, pairing.get_absolute_url())
    coordinator = cluster.memberships.get(role="coordinator").user
    assert "logistics" not in _page(coordinator, pairing.get_absolute_url())


def test_the_follower_is_told_why_a_mentor_is_suggested(cluster, firm_person):
    result = take(firm_person, level=3, levels={"logistics": 0})
    assessments.set_sharing(assessment=result, by=firm_person, shared=True)
    offer = _mentor(cluster).mentor_offers.get()
    assert WEAKEST in _page(firm_person, reverse("mentoring:request", args=[offer.pk]))
