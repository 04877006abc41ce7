"""What every write in a room checks and records first, whichever entity it changes."""

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core import throttle
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


def record(topic: Topic, kind: str, post: Post | None = None) -> TopicEvent:
    """The topic's next numbered event, broadcast once the transaction commits."""
    # The row lock taken by this update orders concurrent writers, so numbers follow commits.
    Topic.objects.filter(pk=topic.pk).update(last_event_id=F("last_event_id") + 1)
    number = Topic.objects.values_list("last_event_id", flat=True).get(pk=topic.pk)
    event = TopicEvent.objects.create(topic=topic, number=number, kind=kind, post=post)
    realtime.broadcast_topic_event(event)
    return event


def topic_for_update(topic: Topic) -> Topic:
    """The topic locked for this transaction: every write to a topic or its posts takes it
    first, so writers of one topic queue in one order and cannot deadlock."""
    return Topic.objects.select_for_update().select_related("room__cluster").get(pk=topic.pk)
