"""What a cluster's coordinators do in its forum: hide and show posts, lock, pin and move
topics. Each act is logged for the cluster's moderation log."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, NotAllowed
from core.text import clean_text
from forums import access, credits, notifications, realtime
from forums.models import ModerationAction, Post, Room, Topic, TopicEvent
from forums.services._shared import record, refused, topic_for_update
from network.models import User


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
    topic = topic_for_update(post.topic)
    _require_moderator(room=topic.room, by=by)
    reason = clean_text(
        reason, model=ModerationAction, field="reason", error=refused, label=_("reason")
    )
    if not reason:
        raise DomainError(
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
    record(topic, TopicEvent.Kind.POST_HIDDEN, post)
    notifications.moderated(post=post, by=by)
    return post


@transaction.atomic
def show_post(*, post: Post, by: User) -> Post:
    topic = topic_for_update(post.topic)
    _require_moderator(room=topic.room, by=by)
    post = _post_of(topic, post)
    if not post.is_hidden:
        return post  # nothing to show again, so nothing to log or announce
    _log_moderation(topic=topic, by=by, action=ModerationAction.Action.SHOW, post=post)
    Post.objects.filter(pk=post.pk).update(is_hidden=False, hidden_reason="")
    post.refresh_from_db()
    record(topic, TopicEvent.Kind.POST_SHOWN, post)
    return post


@transaction.atomic
def set_topic_flags(
    *, topic: Topic, by: User, locked: bool | None = None, pinned: bool | None = None
) -> Topic:
    topic = topic_for_update(topic)
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
    record(topic, TopicEvent.Kind.TOPIC_UPDATED)
    realtime.broadcast_room_change(topic, "topic.updated")
    return topic


@transaction.atomic
def move_topic(*, topic: Topic, by: User, to: Room) -> Topic:
    """Move a topic to another cluster's forum; the mover must coordinate both."""
    topic = topic_for_update(topic)
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
    record(topic, TopicEvent.Kind.TOPIC_UPDATED)
    # Open sockets of the topic re-check who may still follow it, now in another cluster.
    realtime.broadcast_topic_access(topic)
    realtime.broadcast_room_change(topic, "topic.moved", room_id=old.pk)
    realtime.broadcast_room_change(topic, "topic.created")
    return topic
