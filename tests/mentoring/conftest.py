"""A coffee cluster: a coordinator, two mentors with firms and offers, followers with needs;
Felipe mentored by Ana, and the sessions the tests schedule in it."""

import datetime
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from mentoring.models import ExportRecord, MentorOffer, Session
from mentoring.services import offers, pairings, sessions
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
    """Someone who speaks `languages`, working at `firm` if one is named."""
    organization = OrganizationFactory(name=firm) if firm else None
    return UserFactory(name=name, languages=languages, organization=organization)


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


@pytest.fixture
def pairing(net):
    return pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )


NEXT_YEAR = timezone.now().year + 1


def one_to_one(by, pairing, **fields) -> Session:
    return sessions.schedule_session(
        by=by,
        pairing=pairing,
        title=fields.pop("title", "Uno a uno"),
        local_start=datetime.datetime(NEXT_YEAR, 5, 4, 10, 0),
        time_zone="America/Bogota",
        duration_minutes=60,
        **fields,
    )


def group_session(net, **fields) -> Session:
    return sessions.schedule_session(
        by=net.coordinator,
        cluster=net.cluster,
        title=fields.pop("title", "Taller grupal"),
        local_start=datetime.datetime(NEXT_YEAR, 5, 6, 9, 0),
        time_zone="America/Bogota",
        duration_minutes=90,
        **fields,
    )


def move_to_past(session: Session, *, hours_ago: int = 3) -> Session:
    """The session started `hours_ago` hours ago: long enough to be over, by default."""
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=hours_ago)
    )
    session.refresh_from_db()
    return session
