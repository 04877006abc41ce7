"""Every change in the forums goes through here, whichever edge asked: page, API or socket."""

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import throttle
from core.text import clean_text, storable
from forums import access, credits, notifications, realtime
from forums.models import (
    HelpfulVote,
    ModerationAction,
    Post,
    PostRevision,
    Room,
    Topic,
    TopicEvent,
)
from forums.rendering import render
from network.models import Cluster, User

MAX_TAGS = 5
# taggit stores names and slugs in 100 characters; half leaves room for long unicode slugs.
MAX_TAG_LENGTH = 50


class ForumError(Exception):
    """A request the rules refuse; the message is shown to the person as it is."""

    def __init__(self, message, *, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotAllowed(ForumError):
    def __init__(self, message=None) -> None:
        super().__init__(message or _("You cannot do this here."), code="not_allowed")


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
        raise ForumError(CLOSED, code="closed")
    if access.is_observer(user, room):
        raise NotAllowed(OBSERVER)


class TooManyPosts(ForumError):
    def __init__(self) -> None:
        super().__init__(
            _("You have posted a lot in the last minute: wait a moment, then post again."),
            code="too_many_posts",
        )


def _pace(author: User) -> None:
    """One limit per member for the page, the API and the socket alike (network/throttle.py)."""
    limit = settings.POSTS_PER_MINUTE
    if not throttle.within_rate(f"posts:{author.pk}", limit=limit, per=60):
        raise TooManyPosts()


def forum_of(cluster: Cluster) -> Room:
    """The cluster's forum, made the first time anyone needs it."""
    room, _created = Room.objects.get_or_create(cluster=cluster, kind=Room.Kind.FORUM)
    return room


def _refused(message: str) -> ForumError:
    # Text too long for its field, mostly; the socket and the API pass the code on.
    return ForumError(message, code="too_long")


def _clean_body(body: str) -> str:
    body = clean_text(body, model=Post, field="body", error=_refused)
    if not body:
        raise ForumError(_("Write something first."), code="empty")
    return body


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored: trimmed, lower case, unique, each short and with a usable slug."""
    tags = sorted({storable(str(tag)).strip().lower() for tag in tags} - {""})
    if len(tags) > MAX_TAGS:
        raise ForumError(_("At most 5 tags."), code="too_many_tags")
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            raise ForumError(
                _("A tag can be at most %(limit)d characters.") % {"limit": MAX_TAG_LENGTH},
                code="bad_tag",
            )
        if not slugify(tag, allow_unicode=True):
            raise ForumError(
                _("Tags need letters or numbers: %(tag)s") % {"tag": tag}, code="bad_tag"
            )
    return tags


def _record(topic: Topic, kind: str, post: Post | None = None) -> TopicEvent:
    # The row lock taken by this update orders concurrent writers, so numbers follow commits.
    Topic.objects.filter(pk=topic.pk).update(last_event_id=F("last_event_id") + 1)
    number = Topic.objects.values_list("last_event_id", flat=True).get(pk=topic.pk)
    event = TopicEvent.objects.create(topic=topic, number=number, kind=kind, post=post)
    realtime.broadcast_topic_event(event)
    return event


def _locked(topic: Topic) -> Topic:
    return Topic.objects.select_for_update().select_related("room__cluster").get(pk=topic.pk)


def _add_post(*, topic: Topic, author: User, body: str) -> Post:
    _pace(author)  # last of the checks: a refused post is not counted
    html = render(body, people=access.mention_links(topic.room, body))
    post = Post.objects.create(topic=topic, author=author, body=body, body_html=html)
    now = post.created_at
    Topic.objects.filter(pk=topic.pk).update(post_count=F("post_count") + 1, last_post_at=now)
    Room.objects.filter(pk=topic.room_id).update(
        post_count=F("post_count") + 1, last_activity_at=now
    )
    _record(topic, TopicEvent.Kind.POST_CREATED, post)
    notifications.mentions(post=post, room=topic.room)
    return post


@transaction.atomic
def start_topic(
    *,
    room: Room,
    author: User,
    title: str,
    body: str,
    kind: str = Topic.Kind.DISCUSSION,
    tags: Iterable[str] = (),
) -> Topic:
    require_writer(author, room)
    title = clean_text(title, model=Topic, field="title", error=_refused)
    body = _clean_body(body)
    if not title:
        raise ForumError(_("Give the topic a title."), code="empty_title")
    tags = clean_tags(tags)
    topic = Topic.objects.create(
        room=room, author=author, title=title, kind=kind, last_post_at=timezone.now()
    )
    if tags:
        topic.tags.set(tags)
    Room.objects.filter(pk=room.pk).update(topic_count=F("topic_count") + 1)
    _add_post(topic=topic, author=author, body=body)
    realtime.broadcast_room_change(topic, "topic.created")
    topic.refresh_from_db()
    return topic


@transaction.atomic
def post_reply(*, topic: Topic, author: User, body: str) -> Post:
    topic = _locked(topic)
    require_writer(author, topic.room)
    if topic.is_locked and not access.can_moderate(author, topic.room):
        raise ForumError(_("This topic is locked."), code="locked")
    post = _add_post(topic=topic, author=author, body=_clean_body(body))
    notifications.reply(post=post, topic=topic)
    realtime.broadcast_room_change(topic, "topic.updated")
    return post


@transaction.atomic
def edit_post(*, post: Post, by: User, body: str) -> Post:
    # Topic first, then post: the order hide_post and show_post lock in, so they cannot deadlock.
    topic = _locked(post.topic)
    post = Post.objects.select_for_update().get(pk=post.pk, topic=topic)
    post.topic = topic
    if post.author_id != by.pk or not access.can_follow(by, topic.room):
        raise NotAllowed(_("Only the author can edit a message."))
    require_writer(by, topic.room)
    if post.is_hidden:
        raise ForumError(_("A hidden message cannot be edited."), code="hidden")
    body = _clean_body(body)
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=by)
    html = render(body, people=access.mention_links(topic.room, body))
    post.body, post.body_html, post.edited_at = body, html, timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    _record(post.topic, TopicEvent.Kind.POST_EDITED, post)
    return post


@transaction.atomic
def accept_answer(*, post: Post, by: User) -> Topic:
    """The asker or a coordinator marks the answer that solved the question; it can move."""
    topic = _locked(post.topic)
    if not topic.is_question:
        raise ForumError(_("Only questions have accepted answers."), code="not_question")
    # The mark can earn a credit: only someone taking part now may set it.
    if not access.can_follow(by, topic.room):
        raise NotAllowed(_("Only active members of the cluster can accept an answer."))
    require_writer(by, topic.room)
    if by.pk != topic.author_id and not access.can_moderate(by, topic.room):
        raise NotAllowed(_("Only the person who asked, or a coordinator, can accept an answer."))
    if post.topic_id != topic.pk or post.is_hidden:
        raise ForumError(_("This answer cannot be accepted."), code="bad_post")
    if topic.posts.order_by("id").values_list("id", flat=True).first() == post.pk:
        raise ForumError(_("The question itself cannot be its answer."), code="bad_post")
    if topic.accepted_post_id == post.pk:
        return topic
    previous = topic.accepted_post
    topic.accepted_post = post
    topic.save(update_fields=["accepted_post"])
    _record(topic, TopicEvent.Kind.ANSWER_ACCEPTED, post)
    notifications.accepted(post=post, by=by)
    credits.answer_accepted(topic=topic, post=post, previous=previous, by=by)
    realtime.broadcast_room_change(topic, "topic.updated")
    return topic


@transaction.atomic
def mark_helpful(*, post: Post, by: User) -> Post:
    post = Post.objects.select_related("topic__room__cluster").get(pk=post.pk)
    require_writer(by, post.topic.room)
    if post.author_id == by.pk:
        raise ForumError(_("You cannot mark your own message as helpful."), code="own_post")
    if post.is_hidden:
        raise ForumError(_("A hidden message cannot be marked as helpful."), code="hidden")
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(post=post, voter=by)
    except IntegrityError:
        return post  # already counted; a second click changes nothing
    Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + 1)
    post.refresh_from_db(fields=["helpful_count"])
    credits.marked_helpful(post=post, by=by)
    return post


@transaction.atomic
def unmark_helpful(*, post: Post, by: User) -> Post:
    deleted, _details = HelpfulVote.objects.filter(post=post, voter=by).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") - 1)
        credits.unmarked_helpful(post=post, by=by)
    post.refresh_from_db(fields=["helpful_count"])
    return post


# --- Moderation ---------------------------------------------------------------------------


def _require_moderator(*, room: Room, by: User) -> None:
    # can_moderate is False in private conversations: nobody moderates those.
    if not access.can_moderate(by, room):
        raise NotAllowed(_("Only the cluster's coordinators can moderate."))


def _log_moderation(
    *, topic: Topic, by: User, action: str, post: Post | None = None, reason: str = ""
) -> None:
    ModerationAction.objects.create(
        cluster_id=topic.room.cluster_id,
        topic=topic,
        post=post,
        actor=by,
        action=action,
        reason=reason[:300],
    )


def _post_of(topic: Topic, post: Post) -> Post:
    """The caller's post brought up to date, locked after its topic (edit_post's order)."""
    list(Post.objects.select_for_update().filter(pk=post.pk, topic=topic).values_list("pk"))
    post.refresh_from_db()
    return post


@transaction.atomic
def hide_post(*, post: Post, by: User, reason: str) -> Post:
    topic = _locked(post.topic)
    _require_moderator(room=topic.room, by=by)
    reason = clean_text(
        reason, model=ModerationAction, field="reason", error=_refused, label=_("reason")
    )
    if not reason:
        raise ForumError(
            _("Say why the message is hidden; moderators will see it."), code="reason"
        )
    post = _post_of(topic, post)
    if post.is_hidden:
        return post  # hidden already: the first reason and log entry stand
    _log_moderation(
        topic=topic, by=by, action=ModerationAction.Action.HIDE, post=post, reason=reason
    )
    Post.objects.filter(pk=post.pk).update(is_hidden=True, hidden_reason=reason[:300])
    post.refresh_from_db()
    if topic.accepted_post_id == post.pk:
        Topic.objects.filter(pk=topic.pk).update(accepted_post=None)
        credits.answer_unaccepted(
            post=post, by=by, reason=gettext("A moderator hid the accepted answer.")
        )
        realtime.broadcast_room_change(topic, "topic.updated")
    _record(topic, TopicEvent.Kind.POST_HIDDEN, post)
    notifications.moderated(post=post, by=by)
    return post


@transaction.atomic
def show_post(*, post: Post, by: User) -> Post:
    topic = _locked(post.topic)
    _require_moderator(room=topic.room, by=by)
    post = _post_of(topic, post)
    if not post.is_hidden:
        return post  # nothing to show again, so nothing to log or announce
    _log_moderation(topic=topic, by=by, action=ModerationAction.Action.SHOW, post=post)
    Post.objects.filter(pk=post.pk).update(is_hidden=False, hidden_reason="")
    post.refresh_from_db()
    _record(topic, TopicEvent.Kind.POST_SHOWN, post)
    return post


@transaction.atomic
def set_topic_flags(
    *, topic: Topic, by: User, locked: bool | None = None, pinned: bool | None = None
) -> Topic:
    topic = _locked(topic)
    # Permission before anything else: a refused request must not learn or change a thing.
    _require_moderator(room=topic.room, by=by)
    Action = ModerationAction.Action
    actions = []
    if locked is not None and locked != topic.is_locked:
        actions.append(Action.LOCK if locked else Action.UNLOCK)
        topic.is_locked = locked
    if pinned is not None and pinned != topic.is_pinned:
        actions.append(Action.PIN if pinned else Action.UNPIN)
        topic.is_pinned = pinned
    if not actions:
        return topic  # nothing changed, so nothing to log or announce
    for action in actions:
        _log_moderation(topic=topic, by=by, action=action)
    topic.save(update_fields=["is_locked", "is_pinned"])
    _record(topic, TopicEvent.Kind.TOPIC_UPDATED)
    realtime.broadcast_room_change(topic, "topic.updated")
    return topic


@transaction.atomic
def move_topic(*, topic: Topic, by: User, to: Room) -> Topic:
    """Move a topic to another cluster's forum; the mover must coordinate both."""
    topic = _locked(topic)
    if not topic.room.is_forum:
        raise NotAllowed(_("Topics of private conversations stay in them."))
    _require_moderator(room=topic.room, by=by)
    if not (to.is_forum and access.can_moderate(by, to)):
        raise NotAllowed(_("You can only move topics to forums you coordinate."))
    if to.pk == topic.room_id:
        return topic
    _log_moderation(
        topic=topic, by=by, action=ModerationAction.Action.MOVE, reason=str(to.cluster)
    )
    old = topic.room
    Room.objects.filter(pk=old.pk).update(
        topic_count=F("topic_count") - 1, post_count=F("post_count") - topic.post_count
    )
    Room.objects.filter(pk=to.pk).update(
        topic_count=F("topic_count") + 1, post_count=F("post_count") + topic.post_count
    )
    topic.room = to
    topic.save(update_fields=["room"])
    _record(topic, TopicEvent.Kind.TOPIC_UPDATED)
    # Open sockets of the topic re-check who may still follow it, now in another cluster.
    realtime.broadcast_topic_access(topic)
    realtime.broadcast_room_change(topic, "topic.moved", room_id=old.pk)
    realtime.broadcast_room_change(topic, "topic.created")
    return topic


# --- Private conversations ------------------------------------------------------------------


@transaction.atomic
def open_conversation(
    *, cluster: Cluster, by: User, participants: Iterable[User], title: str
) -> Room:
    """A private room for two or more active members of one cluster (e.g. a pairing)."""
    title = clean_text(title, model=Room, field="title", error=_refused)
    people = {by, *participants}
    active = set(
        cluster.memberships.filter(user__in=people, status="active").values_list(
            "user_id", flat=True
        )
    )
    if len(people) < 2 or {person.pk for person in people} - active:
        raise ForumError(_("Everyone in a conversation must be an active member of the cluster."))
    room = Room.objects.create(cluster=cluster, kind=Room.Kind.CONVERSATION, title=title)
    room.participants.set(people)
    return room


@transaction.atomic
def close_conversation(*, room: Room, completed: bool) -> Room:
    """The conversation's purpose is over (its pairing completed, or ended otherwise): it
    stays to read, and nobody writes in it any more. Closing twice keeps the first closing."""
    if room.is_forum:
        raise ValueError("Only a private conversation is closed; a forum is locked by topic.")
    because = Room.ClosedBecause.COMPLETED if completed else Room.ClosedBecause.ENDED
    Room.objects.filter(pk=room.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_because=because
    )
    room.refresh_from_db(fields=["closed_at", "closed_because"])
    return room
