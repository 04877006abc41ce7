"""Replies, edits, accepted answers and helpful marks: what members do with posts."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, NotAllowed
from forums import access, credits, notifications, realtime
from forums.models import HelpfulVote, Post, PostRevision, Topic, TopicEvent
from forums.rendering import render
from forums.services._shared import (
    clean_body,
    count_in_room,
    pace,
    record,
    require_writer,
    topic_for_update,
)
from network.models import User


def add_post(*, topic: Topic, author: User, body: str) -> Post:
    """A checked post into a locked topic: counted in it, announced, its mentions told.
    The caller counts it in the room (count_in_room), last. Its live event is built from the
    topic and post in hand (forums.realtime): whatever changes the topic's state after this,
    in the same transaction, records an event of its own."""
    pace(author)  # last of the checks: a refused post is not counted
    html = render(body, people=access.mention_links(topic.room, body))
    post = Post.objects.create(topic=topic, author=author, body=body, body_html=html)
    record(topic, TopicEvent.Kind.POST_CREATED, post, posted_at=post.created_at)
    notifications.mentions(post=post, room=topic.room)
    return post


@transaction.atomic
def post_reply(*, topic: Topic, author: User, body: str) -> Post:
    topic = topic_for_update(topic)
    require_writer(author, topic.room)
    if topic.is_locked and not access.can_moderate(author, topic.room):
        raise DomainError(_("This topic is locked."), code="locked")
    post = add_post(topic=topic, author=author, body=clean_body(body))
    notifications.reply(post=post, topic=topic)
    realtime.broadcast_room_change(topic, "topic.updated")
    count_in_room(topic.room_id, posts=1, at=post.created_at)
    return post


@transaction.atomic
def edit_post(*, post: Post, by: User, body: str) -> Post:
    # Topic first, then post: the order hide_post and show_post lock in, so they cannot deadlock.
    topic = topic_for_update(post.topic)
    post = Post.objects.select_for_update().get(pk=post.pk, topic=topic)
    post.topic = topic
    if post.author_id != by.pk or not access.can_follow(by, topic.room):
        raise NotAllowed(_("Only the author can edit a message."))
    require_writer(by, topic.room)
    if post.is_hidden:
        raise DomainError(_("A hidden message cannot be edited."), code="hidden")
    body = clean_body(body)
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=by)
    html = render(body, people=access.mention_links(topic.room, body))
    post.body, post.body_html, post.edited_at = body, html, timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    record(post.topic, TopicEvent.Kind.POST_EDITED, post)
    return post


@transaction.atomic
def accept_answer(*, post: Post, by: User) -> Topic:
    """The asker or a coordinator marks the answer that solved the question; it can move."""
    topic = topic_for_update(post.topic)
    if not topic.is_question:
        raise DomainError(_("Only questions have accepted answers."), code="not_question")
    # The mark can earn a credit: only someone taking part now may set it.
    if not access.can_follow(by, topic.room):
        raise NotAllowed(_("Only active members of the cluster can accept an answer."))
    require_writer(by, topic.room)
    if by.pk != topic.author_id and not access.can_moderate(by, topic.room):
        raise NotAllowed(_("Only the person who asked, or a coordinator, can accept an answer."))
    if post.topic_id != topic.pk or post.is_hidden:
        raise DomainError(_("This answer cannot be accepted."), code="bad_post")
    if topic.posts.order_by("id").values_list("id", flat=True).first() == post.pk:
        raise DomainError(_("The question itself cannot be its answer."), code="bad_post")
    if topic.accepted_post_id == post.pk:
        return topic
    previous = topic.accepted_post
    topic.accepted_post = post
    topic.save(update_fields=["accepted_post"])
    record(topic, TopicEvent.Kind.ANSWER_ACCEPTED, post)
    notifications.accepted(post=post, by=by)
    credits.answer_accepted(topic=topic, post=post, previous=previous, by=by)
    realtime.broadcast_room_change(topic, "topic.updated")
    return topic


@transaction.atomic
def mark_helpful(*, post: Post, by: User) -> Post:
    post = Post.objects.select_related("topic__room__cluster").get(pk=post.pk)
    require_writer(by, post.topic.room)
    if post.author_id == by.pk:
        raise DomainError(_("You cannot mark your own message as helpful."), code="own_post")
    if post.is_hidden:
        raise DomainError(_("A hidden message cannot be marked as helpful."), code="hidden")
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
