"""A socket's subscribe asks who may follow a topic in one fixed statement
(`access.followable_topic`); it must answer as `access.can_follow` does, for everyone."""

import pytest
from django.contrib.auth.models import AnonymousUser

from forums import access, services
from forums.models import Topic
from network.models import Membership
from tests.factories import UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db
Role, Status = Membership.Role, Membership.Status


def _topic(room, author) -> Topic:
    topic = services.start_topic(
        room=room, author=author, title="Incoterms", body="FOB or CIF?", kind="question"
    )
    services.post_reply(topic=topic, author=author, body="CIF, for a first shipment.")
    topic.refresh_from_db()
    return topic


def _agrees(user, topic: Topic) -> bool:
    """Whether the fixed statement answers as the rule does; returns the rule's answer."""
    allowed = access.can_follow(user, topic.room)
    access.forget_memberships(user)
    followed = access.followable_topic(user, topic.pk)
    if not allowed:
        assert followed is None
        return False
    # What a catch-up reads of it, with the types the ORM gives.
    for name in access.FOLLOWED_FIELDS:
        assert getattr(followed, name) == getattr(topic, name)
        assert type(getattr(followed, name)) is type(getattr(topic, name))
    assert followed.title == topic.title  # any other field loads when read
    return True


@pytest.mark.parametrize("visibility", ["private", "public"])
def test_the_forum_is_followed_by_its_active_members_and_observers_only(forum, visibility):
    forum.cluster.visibility = visibility
    forum.cluster.save()
    topic = _topic(forum.room, forum.mentor)
    assert topic.last_event_id > 1
    observer = add_member(forum.cluster, role=Role.OBSERVER)
    for person in (forum.coordinator, forum.mentor, forum.follower, observer):
        assert _agrees(person, topic)
    left = add_member(forum.cluster, status=Status.LEFT)
    suspended = add_member(forum.cluster, status=Status.SUSPENDED)
    invited = add_member(forum.cluster, status=Status.INVITED)
    for person in (forum.outsider, left, suspended, invited, AnonymousUser()):
        assert not _agrees(person, topic)
    # Locked, pinned and answered, as a catch-up must tell the page.
    Topic.objects.filter(pk=topic.pk).update(
        is_locked=True, is_pinned=True, accepted_post=topic.posts.last()
    )
    topic.refresh_from_db()
    assert _agrees(forum.mentor, topic)
    # A member of another cluster, even with the same role, is not inside this one.
    elsewhere = add_member(make_cluster(coordinator=UserFactory()), role=Role.MENTOR)
    assert not _agrees(elsewhere, topic)


def test_a_conversation_is_followed_by_its_participants_while_they_are_members(forum):
    room = services.open_conversation(
        cluster=forum.cluster, by=forum.mentor, participants=[forum.follower], title="Pairing"
    )
    topic = _topic(room, forum.mentor)
    assert _agrees(forum.mentor, topic) and _agrees(forum.follower, topic)
    assert not _agrees(forum.coordinator, topic)  # a member, not a participant
    Membership.objects.filter(user=forum.follower).update(status=Status.LEFT)
    assert not _agrees(forum.follower, topic)


def test_a_topic_that_does_not_exist_is_followed_by_nobody(forum):
    assert access.followable_topic(forum.coordinator, 10**9) is None
