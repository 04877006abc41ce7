"""An agency, its officer, a sponsored cluster with a mentor and followers, and a programme."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from incentives import services
from incentives.models import Programme
from network.models import Cluster, User
from tests.factories import (
    AgencyFactory,
    OfficerFactory,
    OrganizationFactory,
    UserFactory,
    add_member,
    make_cluster,
)


@dataclass
class Setting:
    agency: object
    officer: User
    cluster: Cluster
    coordinator: User
    mentor: User
    follower: User
    other_follower: User
    programme: Programme


def member_of(organization, name: str) -> User:
    return UserFactory(name=name, organization=organization)


def build(*, budget="1000", member_cap=None, pair_cap=None, session_amount="50") -> Setting:
    agency = AgencyFactory(name="Agencia Andina")
    officer = OfficerFactory(name="Olga Officer", organization=agency)
    coordinator = member_of(OrganizationFactory(), "Carla Coord")
    cluster = make_cluster(coordinator=coordinator, visibility="private", sponsor=agency)
    mentor = add_member(cluster, member_of(OrganizationFactory(), "Mateo Mentor"), role="mentor")
    follower = add_member(cluster, member_of(OrganizationFactory(), "Fabi Follower"))
    other = add_member(cluster, member_of(OrganizationFactory(), "Otra Follower"))
    today = datetime.date.today()
    programme = services.create_programme(
        by=officer,
        name="Mentores 2026",
        clusters=[cluster],
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today + datetime.timedelta(days=400),
        unit="USD",
        budget=Decimal(budget),
        cap_per_member_month=Decimal(member_cap) if member_cap else None,
        cap_per_pair_month=Decimal(pair_cap) if pair_cap else None,
    )
    for kind, amount, confirmer, attendees in [
        ("session_held", session_amount, "counterpart", 0),
        ("group_session", "80", "counterpart", 3),
        ("accepted_answer", "10", "counterpart", 0),
        ("useful_post", "5", "coordinator", 0),
    ]:
        services.set_rule(
            programme=programme,
            by=officer,
            kind=kind,
            amount=Decimal(amount),
            confirmer=confirmer,
            min_attendees=attendees,
        )
    return Setting(
        agency=agency,
        officer=officer,
        cluster=cluster,
        coordinator=coordinator,
        mentor=mentor,
        follower=follower,
        other_follower=other,
        programme=programme,
    )


@pytest.fixture
def setting(db) -> Setting:
    return build()
