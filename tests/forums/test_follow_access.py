"""A socket's subscribe asks who may follow a topic in one fixed statement
(`access.followable_topic`); it must answer as `access.can_follow` does, for everyone."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from forums import access, services
from forums.models import Topic
from network.models import Membership
from tests.factories import UserFactory, add_member, make_cluster
from tests.statements import sent_statements

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
    gets the answer the rule (`can_follow`) gives, whoever else is asking and how often."""
    forum_topic = _topic(forum.room, forum.mentor)
    room = services.open_conversation(
        cluster=forum.cluster, by=forum.mentor, participants=[forum.follower], title="Pairing"
    )
    private_topic = _topic(room, forum.mentor)
    people = [forum.coordinator, forum.mentor, forum.follower, forum.outsider, AnonymousUser()]
    topics = [forum_topic, private_topic, None]  # None: a topic that does not exist
    asked, expected = [], []
    for person in people:
        for topic in topics:
            asked.append((person, topic.pk if topic else 10**9))
            access.forget_memberships(person)
            allowed = topic is not None and access.can_follow(person, topic.room)
            expected.append((topic.pk, topic.last_event_id) if allowed else None)
    asked, expected = asked + asked[:4], expected + expected[:4]  # two tabs ask twice
    with django_assert_num_queries(1):
        together = access.followable_topics(asked)
    assert [found and (found.pk, found.last_event_id) for found in together] == expected
    # The forum's topic to every member, the conversation's to its participants only.
    assert [answer is not None for answer in expected[:15]] == [
        *(True, False, False),
        *(True, True, False),
        *(True, True, False),
        *(False, False, False),
        *(False, False, False),
    ]
    assert together[0] is not together[-4]  # each socket holds a topic of its own


def test_an_id_no_column_holds_is_nobodys_and_spoils_no_other(forum, django_assert_num_queries):
    """A subscribe's id beyond any column would fail the statement it shares with others
    (SQLite cannot bind it, PostgreSQL cannot cast it): it stays out, answered None."""
    topic = _topic(forum.room, forum.mentor)
    asked = [(forum.mentor, -(10**25)), (forum.mentor, 10**25), (forum.mentor, 0)]
    asked.append((forum.mentor, topic.pk))
    with django_assert_num_queries(1):
        found = access.followable_topics(asked)
    assert found[:3] == [None, None, None]
    assert found[3].pk == topic.pk
    with django_assert_num_queries(0):
        assert access.followable_topics(asked[:3]) == [None, None, None]


def test_a_crowd_of_any_size_asks_in_the_statement_of_a_few(forum):
    """A trip holds up to 200 subscribes. Each gets the rule's answer, and on PostgreSQL the
    statement reads the same for 60 pairs as for 2: psycopg parses a statement of more than
    50 parameters afresh on every run (core/statements.py)."""
    topic, other = _topic(forum.room, forum.mentor), _topic(forum.room, forum.mentor)
    people = [add_member(forum.cluster) for _ in range(29)] + [forum.outsider]
    asked = [(person, found.pk) for person in people for found in (topic, other)]
    with sent_statements() as few:
        assert [found.pk for found in access.followable_topics(asked[:2])] == [topic.pk, other.pk]
    with sent_statements() as crowd:
        together = access.followable_topics(asked)
    assert [found and found.pk for found in together] == [topic.pk, other.pk] * 29 + [None] * 2
    assert len(crowd) == 1
    if connection.vendor == "postgresql":
        assert crowd == few
