"""A private cluster with a coordinator, two mentors, a follower and an outsider; guides in it."""

from dataclasses import dataclass

import pytest

from guides import services
from guides.models import Guide
from network.models import Cluster, User
from tests.factories import UserFactory, add_member, make_cluster


@dataclass
class Library:
    cluster: Cluster
    coordinator: User
    mentor: User
    other_mentor: User
    follower: User
    outsider: User


def build_library(visibility="private") -> Library:
    coordinator = UserFactory(name="Carla Coord")
    cluster = make_cluster(coordinator=coordinator, visibility=visibility)
    return Library(
        cluster=cluster,
        coordinator=coordinator,
        mentor=add_member(cluster, UserFactory(name="Mateo Mentor"), role="mentor"),
        other_mentor=add_member(cluster, UserFactory(name="Nora Mentor"), role="mentor"),
        follower=add_member(cluster, UserFactory(name="Fabi Follower")),
        outsider=UserFactory(name="Otto Outsider"),
    )


@pytest.fixture
def library(db) -> Library:
    return build_library()


def draft(lib: Library, *, author=None, **fields) -> Guide:
    values = {
        "title": "Coffee to Germany",
        "summary": "Papers a first container needs.",
        "body": "Register in REX.\nDeclare origin on the invoice.\nTest for ochratoxin.",
        "language": "en",
        "products": ["0901"],
        "markets": ["DE"],
        "topics": ["origin"],
    }
    values.update(fields)
    return services.create_guide(cluster_id=lib.cluster.pk, by=author or lib.mentor, **values)


def published(lib: Library, *, visibility="cluster", **fields) -> Guide:
    guide = draft(lib, **fields)
    services.submit_for_review(guide=guide, by=lib.mentor)
    services.publish(guide=guide, by=lib.coordinator, visibility=visibility)
    guide.refresh_from_db()
    return guide


def revise(lib: Library, guide: Guide, *, note: str, **fields) -> Guide:
    """The author edits the published guide and a coordinator publishes the change."""
    values = {
        "title": guide.title,
        "summary": guide.summary,
        "body": guide.body,
        "language": guide.language,
        "products": guide.products,
        "markets": guide.markets,
        "topics": guide.topics,
    }
    values.update(fields)
    services.update_draft(guide=guide, by=lib.mentor, **values)
    services.submit_for_review(guide=guide, by=lib.mentor)
    services.publish(guide=guide, by=lib.coordinator, note=note)
    guide.refresh_from_db()
    return guide
