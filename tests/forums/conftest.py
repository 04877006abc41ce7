"""A cluster with a coordinator, a mentor, a follower and an outsider, and its forum."""

from dataclasses import dataclass

import pytest

from network.models import Cluster, User
from tests.factories import ForumFactory, UserFactory, add_member, make_cluster, named

# The forum tests rename their people with it.
_named = named


@dataclass
class Forum:
    cluster: Cluster
    room: object
    coordinator: User
    mentor: User
    follower: User
    outsider: User


def build_forum(visibility="private") -> Forum:
    coordinator = UserFactory(name="Lucia Coord")
    cluster = make_cluster(coordinator=coordinator, visibility=visibility)
    return Forum(
        cluster=cluster,
        room=ForumFactory(cluster=cluster),
        coordinator=coordinator,
        mentor=add_member(cluster, UserFactory(name="Marta Mentor"), role="mentor"),
        follower=add_member(cluster, UserFactory(name="Felipe Follower")),
        outsider=UserFactory(name="Otto Outsider"),
    )


@pytest.fixture
def forum(db) -> Forum:
    return build_forum()
