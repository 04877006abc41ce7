"""Who may read, write and moderate in a room: the one place these rules live."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from core.compiled import compiled_read
from core.converters import MAX_ID
from core.statements import column, integer_pairs, table
from forums.models import Post, Room, Topic
from forums.rendering import mentioned_handles
from network.models import Membership, User

Role, Status = Membership.Role, Membership.Status


def _membership(user, room: Room) -> Membership | None:
    if not user.is_authenticated:
        return None
    cache = getattr(user, "_forum_memberships", None)
    if cache is None:
        cache = user._forum_memberships = {}
    if room.cluster_id not in cache:
        cache[room.cluster_id] = (
            Membership.objects.active().of(user).filter(cluster_id=room.cluster_id).first()
        )
    return cache[room.cluster_id]


def forget_memberships(user) -> None:
    """Drop the answers cached on this user, for a long-lived socket to ask afresh."""
    # delattr, not __dict__: a socket's user is a lazy object that forwards attributes.
    if hasattr(user, "_forum_memberships"):
        del user._forum_memberships


def can_read(user, room: Room) -> bool:
    """A public cluster's forum is open to readers; private clusters and conversations are not."""
    if room.is_forum and room.cluster.is_public:
        return True
    return can_follow(user, room)


def can_follow(user, room: Room) -> bool:
    """Inside the room: an active member (a participant, in a conversation), agency observers
    included. Reads it even when private, follows it live, is told of what happens in it."""
    if _membership(user, room) is None:
        return False
    if room.is_forum:
        return True
    return room.participants.filter(pk=user.pk).exists()


# In the model's order, as Model.from_db takes them.
FOLLOWED_FIELDS = [
    field.attname
    for field in Topic._meta.concrete_fields
    if field.attname in {"id", "last_event_id", "accepted_post_id", "is_locked", "is_pinned"}
]


def followable_topic(user, topic_id: int) -> Topic | None:
    """The topic if `user` may follow it (`can_follow` on its room), or None."""
    (found,) = followable_topics([(user, topic_id)])
    return found


def followable_topics(asked: list[tuple[User, int]]) -> list[Topic | None]:
    """`followable_topic` of each (member, topic id), in one fixed statement for them all:
    the subscribes of a crowd reconnecting after a restart share it (core.gathered). Through
    the ORM the same questions took 0.9 ms of CPU a socket, one statement 0.05
    (docs/performance.md). Each topic holds what a catch-up needs (FOLLOWED_FIELDS); any
    other field loads when first read."""
    # An id no column holds is nobody's topic, and must not reach the shared statement.
    pairs = sorted(
        {
            (user.pk, topic_id)
            for user, topic_id in asked
            if user.is_authenticated and 0 < topic_id <= MAX_ID
        }
    )
    if not pairs:
        return [None] * len(asked)
    listed, params = integer_pairs(pairs, "v")
    with connection.cursor() as cursor:
        cursor.execute(_follow_statement(listed), [Status.ACTIVE, *params])
        rows = cursor.fetchall()
    followed = {}
    for member_pk, topic_id, kind, member, participant, *values in rows:
        if member and (kind == Room.Kind.FORUM or participant):
            followed[member_pk, topic_id] = values
    # A topic of its own for each socket, as a read each would give.
    return [
        Topic.from_db(connection.alias, FOLLOWED_FIELDS, followed[user.pk, topic_id])
        if user.is_authenticated and (user.pk, topic_id) in followed
        else None
        for user, topic_id in asked
    ]


@cache
def _follow_statement(listed: str) -> str:
    """Who may follow, for the (member, topic) pairs `listed` (`integer_pairs`)."""
    participants = Room.participants.through
    followed = ", ".join(f"t.{column(Topic, name)}" for name in FOLLOWED_FIELDS)
    return (
        f"SELECT v.column1, v.column2, r.{column(Room, 'kind')}, "
        f"EXISTS (SELECT 1 FROM {table(Membership)} m "
        f"WHERE m.{column(Membership, 'user')} = v.column1 "
        f"AND m.{column(Membership, 'cluster')} = r.{column(Room, 'cluster')} "
        f"AND m.{column(Membership, 'status')} = %s), "
        f"EXISTS (SELECT 1 FROM {table(participants)} p "
        f"WHERE p.{column(participants, 'room')} = r.{column(Room, 'id')} "
        f"AND p.{column(participants, 'user')} = v.column1), {followed} "
        f"FROM {listed} JOIN {table(Topic)} t "
        f"ON t.{column(Topic, 'id')} = v.column2 JOIN {table(Room)} r "
        f"ON r.{column(Room, 'id')} = t.{column(Topic, 'room')}"
    )


def is_observer(user, room: Room) -> bool:
    """An agency observer reads and follows; taking part needs a role a coordinator grants."""
    membership = _membership(user, room)
    return membership is not None and membership.role == Role.OBSERVER


def can_write(user, room: Room) -> bool:
    """Takes part: posts, starts topics, votes and accepts answers, where writing is open."""
    return can_follow(user, room) and not room.is_closed and not is_observer(user, room)


def can_moderate(user, room: Room) -> bool:
    """Coordinators moderate their cluster's forum; private conversations are not policed."""
    if not room.is_forum:
        return False
    membership = _membership(user, room)
    return membership is not None and membership.is_coordinator


@dataclass(frozen=True)
class TopicAbilities:
    """What one reader may do in one topic, asked once per page and shared by its posts."""

    can_write: bool
    can_moderate: bool
    can_accept: bool  # the asker, or a coordinator, of a question open to writing
    reader_id: int | None

    @classmethod
    def of(cls, user, topic: Topic) -> "TopicAbilities":
        room = topic.room
        writes, moderates = can_write(user, room), can_moderate(user, room)
        return cls(
            can_write=writes,
            can_moderate=moderates,
            can_accept=topic.is_question and writes and (user.pk == topic.author_id or moderates),
            reader_id=user.pk,
        )

    def mark(self, posts: Iterable[Post], *, topic: Topic, question_post_id: int | None) -> None:
        """Tell each post shown which of its buttons this reader gets: a hidden post takes
        none, the opening post is never an answer, the accepted one is already accepted."""
        for post in posts:
            shown = not post.is_hidden
            own = post.author_id == self.reader_id
            post.may_mark_helpful = self.can_write and shown and not own
            post.may_edit = self.can_write and shown and own
            post.may_accept = (
                self.can_accept
                and shown
                and post.pk not in (question_post_id, topic.accepted_post_id)
            )


def _named(p, *, forum: bool) -> QuerySet[User]:
    """Whom of these handles the room's followers are (see can_follow): a cluster's active
    members; of a conversation, only its participants. Read with every post that names
    someone, so built once (core.compiled)."""
    people = User.objects.filter(
        memberships__cluster_id=p.cluster,
        memberships__status=Status.ACTIVE,
        profile__handle__in=p.many("handles", of=str),
    )
    if not forum:
        people = people.filter(conversations=p.room)
    return people


@compiled_read(shape=("forum",))
def _named_links(p, *, forum: bool):
    return _named(p, forum=forum).values_list("profile__handle", "pk")


@compiled_read(shape=("forum",))
def _named_people(p, *, forum: bool):
    return _named(p, forum=forum).distinct()


def _naming(room: Room, handles: list[str]) -> dict:
    """A named read's values: a forum's members are its cluster's, a conversation's its own."""
    within = {} if room.is_forum else {"room": room.pk}
    return {"forum": room.is_forum, "cluster": room.cluster_id, "handles": handles, **within}


def named_followers(room: Room, handles: list[str]) -> list[User]:
    """The room's followers among these handles, each once."""
    return _named_people(**_naming(room, handles))


# A post links at most this many people; further @handles stay text.
MAX_MENTION_LINKS = 50


def mention_links(room: Room, body: str) -> dict[str, str]:
    """The profile path of each @handle in `body` that belongs to someone who follows the room.
    Every reader of the room may open those profiles (they are active members of its
    cluster), so a link never tells a reader of a person they could not otherwise see."""
    handles = sorted(mentioned_handles(body))[:MAX_MENTION_LINKS]
    if not handles:
        return {}
    people = _named_links(**_naming(room, handles))
    return {handle: reverse("person", args=[pk]) for handle, pk in people}
