"""A coffee cluster: a coordinator, two mentors with firms and offers, followers with needs."""

from dataclasses import dataclass

import pytest

from mentoring.models import ExportRecord, MentorOffer
from mentoring.services import offers
from network.models import Cluster, User
from tests.factories import OrganizationFactory, UserFactory, add_member, make_cluster


@dataclass
class Network:
    cluster: Cluster
    coordinator: User
    ana: User  # mentor: coffee to Germany, speaks Portuguese
    bruno: User  # mentor: cocoa to the United States
    ana_offer: MentorOffer
    bruno_offer: MentorOffer
    felipe: User  # follower: wants coffee into Germany
    gabi: User  # follower: wants cocoa into the United States
    outsider: User


def person(name: str, *, languages=("es",), firm: str | None = None) -> User:
    user = UserFactory()
    profile = user.profile
    profile.display_name = name
    profile.languages = list(languages)
    if firm:
        profile.organization = OrganizationFactory(name=firm)
    profile.save()
    return user


def offer(user, cluster, **fields) -> MentorOffer:
    defaults = {"capacity": 2, "languages": user.profile.languages, "accepts_competitors": True}
    return offers.save_offer(user=user, cluster=cluster, **{**defaults, **fields})


def cohort_form(choices: dict, **extra) -> dict:
    """What the cohort page posts: one row per follower (id -> offer id, "" for none)."""
    data = {"cohort-TOTAL_FORMS": str(len(choices)), "cohort-INITIAL_FORMS": str(len(choices))}
    for row, (follower, offer_id) in enumerate(choices.items()):
        data[f"cohort-{row}-follower"] = str(follower)
        data[f"cohort-{row}-offer"] = str(offer_id)
    return {**data, **extra}


def build_network() -> Network:
    coordinator = person("Lucia Coord")
    cluster = make_cluster(coordinator=coordinator, name="Cafés del Huila", visibility="private")
    ana = add_member(
        cluster, person("Ana Mentor", languages=["es", "pt"], firm="Ana Café"), role="mentor"
    )
    bruno = add_member(cluster, person("Bruno Mentor", firm="Bruno Cacao"), role="mentor")
    ExportRecord.objects.create(
        organization=ana.profile.organization,
        year=2019,
        hs_code="0901",
        country="DE",
        value_band="lt1m",
    )
    ana_offer = offer(
        ana,
        cluster,
        products=["0901"],
        markets=["DE", "US"],
        topics=["certification", "logistics"],
        accepts_competitors=True,
    )
    bruno_offer = offer(
        bruno,
        cluster,
        products=["1801"],
        markets=["US"],
        topics=["export finance"],
        accepts_competitors=True,
    )
    felipe = add_member(cluster, person("Felipe Follower", languages=["pt"], firm="Finca Felipe"))
    gabi = add_member(cluster, person("Gabi Follower", firm="Gabi Chocolates"))
    offers.save_needs(
        user=felipe, products=["0901"], markets=["DE"], topics=["certification"], languages=["pt"]
    )
    offers.save_needs(user=gabi, products=["1801"], markets=["US"], topics=["export finance"])
    return Network(
        cluster=cluster,
        coordinator=coordinator,
        ana=ana,
        bruno=bruno,
        ana_offer=ana_offer,
        bruno_offer=bruno_offer,
        felipe=felipe,
        gabi=gabi,
        outsider=person("Otto Outsider"),
    )


@pytest.fixture
def net(db) -> Network:
    return build_network()
