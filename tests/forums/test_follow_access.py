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


def test_a_crowd_is_answered_in_one_statement_as_each_would_be(forum, django_assert_num_queries):
    """Subscribes arriving together share one statement (`followable_topics`): each pair
    gets the answer it would get alone, whoever else is asking and however often."""
    forum_topic = _topic(forum.room, forum.mentor)
    room = services.open_conversation(
        cluster=forum.cluster, by=forum.mentor, participants=[forum.follower], title="Pairing"
    )
    private_topic = _topic(room, forum.mentor)
    people = [forum.coordinator, forum.mentor, forum.follower, forum.outsider, AnonymousUser()]
    topic_ids = [forum_topic.pk, private_topic.pk, 10**9]
    asked = [(person, topic_id) for person in people for topic_id in topic_ids]
    asked += asked[:4]  # two tabs of one person ask twice
    alone = []
    for person, topic_id in asked:
        access.forget_memberships(person)
        found = access.followable_topic(person, topic_id)
        alone.append(found and (found.pk, found.last_event_id))
    with django_assert_num_queries(1):
        together = access.followable_topics(asked)
    assert [found and (found.pk, found.last_event_id) for found in together] == alone
    # The conversation's topic: its participants only; the forum's: every member.
    assert alone[:3] == [(forum_topic.pk, forum_topic.last_event_id), None, None]
    assert alone[6:9] == [
        (forum_topic.pk, forum_topic.last_event_id),
        (private_topic.pk, private_topic.last_event_id),
        None,
    ]
    assert alone[9:] == [None] * 6 + alone[:4]
    # Each socket holds a topic of its own.
    assert together[0] is not together[-4]
