"""What every write in a room checks and records first, whichever entity it changes."""

from datetime import datetime

from django.conf import settings
from django.db.models import DateTimeField, F
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from core import throttle
from core.compiled import compiled_read, compiled_update
from core.errors import DomainError, NotAllowed
from core.text import clean_text
from forums import access, realtime
from forums.models import Post, Room, Topic, TopicEvent
from network.models import User

CLOSED = _("This conversation is closed: it stays here to read, and takes no new messages.")
OBSERVER = _(
    "Agency observers read and follow the forum; writing in it needs a member role, "
    "which a coordinator grants."
)


def require_writer(user: User, room: Room) -> None:
    """Refuse, saying why, anyone who may not take part in the room (see access.can_write)."""
    if not access.can_follow(user, room):
        raise NotAllowed()
    if room.is_closed:
        raise DomainError(CLOSED, code="closed")
    if access.is_observer(user, room):
        raise NotAllowed(OBSERVER)


class TooManyPosts(DomainError):
    """The member's posting pace, refused alike by the page, the API (429) and the socket."""

    def __init__(self) -> None:
        super().__init__(
            _("You have posted a lot in the last minute: wait a moment, then post again."),
            code="too_many_posts",
        )


def pace(author: User) -> None:
    """One limit per member for the page, the API and the socket alike (core/throttle.py)."""
    limit = settings.POSTS_PER_MINUTE
    if not throttle.within_rate(f"posts:{author.pk}", limit=limit, per=60):
        raise TooManyPosts()


def refused(message: str) -> DomainError:
    # Text too long for its field, mostly; the socket and the API pass the code on.
    return DomainError(message, code="too_long")


def clean_body(body: str) -> str:
    body = clean_text(body, model=Post, field="body", error=refused)
    if not body:
        raise DomainError(_("Write something first."), code="empty")
    return body


@compiled_update(shape=("posted",))
def _numbered(p, *, posted: bool):
    changes = {"last_event_id": p.number}
    if posted:
        changes |= {"post_count": F("post_count") + 1, "last_post_at": p.posted_at}
    return Topic.objects.filter(pk=p.topic), changes


def record(
    topic: Topic, kind: str, post: Post | None = None, *, posted_at: datetime | None = None
) -> TopicEvent:
    """The topic's next numbered event, broadcast once the transaction commits.

    `topic` is locked by this transaction (topic_for_update) or was created in it, so its
    last number is the one stored and no other writer can take the next: numbers follow
    commits. `posted_at` is a new post's time: the topic counts it and shows it as its latest,
    in the same update.
    """
    number = topic.last_event_id + 1
    if posted_at is None:
        _numbered(posted=False, topic=topic.pk, number=number)
    else:
        _numbered(posted=True, topic=topic.pk, number=number, posted_at=posted_at)
    topic.last_event_id = number
    event = TopicEvent.objects.create(topic=topic, number=number, kind=kind, post=post)
    realtime.broadcast_topic_event(event)
    return event


@compiled_read()
def _locked_topic(p):
    return (
        Topic.objects.select_for_update(of=("self",))
        .select_related("room__cluster", "author__profile")
        .filter(pk=p.topic)
    )


@compiled_read()
def _locked_room(p):
    # The room's row alone: the cluster's is every conversation's and every membership's.
    return Room.objects.select_for_update(of=("self",)).select_related("cluster").filter(pk=p.room)


def topic_for_update(topic: Topic) -> Topic:
    """The topic locked for this transaction: every write to a topic or its posts takes it
    first, so writers of one topic queue in one order and cannot deadlock.

    Only the topic's row is locked in a forum: every reply would otherwise hold the forum's
    and the cluster's rows until it commits, and writers of different topics would queue
    behind one another. A private conversation's room is locked too, so a reply and the
    closing of the conversation cannot cross: the reply sees it closed, or lands before.
    Both reads are compiled once (core.compiled): every write to a topic begins with them.
    """
    locked = _locked_topic(topic=topic.pk)
    if not locked:  # deleted since the caller read it, as .get() would say
        raise Topic.DoesNotExist("Topic matching query does not exist.")
    topic = locked[0]
    if not topic.room.is_forum:
        (topic.room,) = _locked_room(room=topic.room_id)  # a topic's room is never deleted alone
    return topic


@compiled_update(shape=("topics", "posts"))
def _counted_in_room(p, *, topics: int, posts: int):
    # Writers of different topics commit in any order: the latest activity never goes back.
    latest = Greatest(
        Coalesce("last_activity_at", p.at, output_field=DateTimeField()),
        p.at,
        output_field=DateTimeField(),
    )
    counts = {"topic_count": F("topic_count") + topics} if topics else {}
    changes = {**counts, "post_count": F("post_count") + posts, "last_activity_at": latest}
    return Room.objects.filter(pk=p.room), changes


def count_in_room(room_id: int, *, at: datetime, topics: int = 0, posts: int = 0) -> None:
    """The forum's counters and last activity. Written last in a transaction: the row is
    every writer's of the room, and its lock is held from this update until the commit."""
    _counted_in_room(topics=topics, posts=posts, room=room_id, at=at)
