"""A cluster with a coordinator, a mentor, a follower and an outsider, and its forum."""

from dataclasses import dataclass

import pytest

from forums import services
from network.models import Cluster, User
from network.services import unique_handle
from tests.factories import UserFactory, add_member, make_cluster


@dataclass
class Forum:
    cluster: Cluster
    room: object
    coordinator: User
    mentor: User
    follower: User
    outsider: User


def _named(user, name):
    profile = user.profile
    profile.display_name = name
    profile.handle = unique_handle(name, excluding=profile)
    profile.save()
    return user


def build_forum(visibility="private") -> Forum:
    coordinator = _named(UserFactory(), "Lucia Coord")
    cluster = make_cluster(coordinator=coordinator, visibility=visibility)
    return Forum(
        cluster=cluster,
        room=services.forum_of(cluster),
        coordinator=coordinator,
        mentor=_named(add_member(cluster, role="mentor"), "Marta Mentor"),
        follower=_named(add_member(cluster, role="follower"), "Felipe Follower"),
        outsider=_named(UserFactory(), "Otto Outsider"),
    )


@pytest.fixture
def forum(db) -> Forum:
    return build_forum()
