"""Live forum events: group names, payloads built once, and sending after commit.

The protocol is documented in docs/realtime.md.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.template.loader import render_to_string

from forums.models import Post, Topic, TopicEvent

logger = logging.getLogger(__name__)


def topic_group(topic_id: int) -> str:
    return f"topic.{topic_id}"


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def post_payload(post: Post) -> dict:
    data = {
        "id": post.pk,
        "author": post.author.profile.display_name if post.author else "",
        "created_at": post.created_at.isoformat(),
        "edited": post.edited_at is not None,
        "hidden": post.is_hidden,
        "helpful": post.helpful_count,
    }
    if not post.is_hidden:
        data["html"] = render_to_string("forums/_post_body.html", {"post": post})
    return data


def event_payload(event: TopicEvent, topic: Topic) -> dict:
    payload = {"type": event.kind, "topic": topic.pk, "id": event.number}
    if event.post is not None:
        payload["post"] = post_payload(event.post)
    if event.kind in (TopicEvent.Kind.ANSWER_ACCEPTED, TopicEvent.Kind.TOPIC_UPDATED):
        payload["accepted_post"] = topic.accepted_post_id
        payload["locked"] = topic.is_locked
        payload["pinned"] = topic.is_pinned
    return payload


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        # The database already holds the change; clients catch up when they reconnect.
        logger.warning("Live event to %s not delivered", group, exc_info=True)


def broadcast_topic_event(event: TopicEvent) -> None:
    """After commit, build the payload once and hand it to every open page of the topic."""

    def send() -> None:
        fresh = TopicEvent.objects.select_related(
            "topic", "post__author__profile", "post__topic"
        ).get(pk=event.pk)
        _send(
            topic_group(fresh.topic_id),
            {"type": "forum.event", "event": event_payload(fresh, fresh.topic)},
        )

    transaction.on_commit(send)


def broadcast_room_change(topic: Topic, kind: str) -> None:
    """New topics and changed counts for open forum pages."""

    def send() -> None:
        fresh = Topic.objects.select_related("room").get(pk=topic.pk)
        _send(
            room_group(fresh.room_id),
            {
                "type": "forum.event",
                "event": {
                    "type": kind,
                    "room": fresh.room_id,
                    "topic": fresh.pk,
                    "title": fresh.title,
                    "url": fresh.get_absolute_url(),
                    "posts": fresh.post_count,
                    "topics": fresh.room.topic_count,
                },
            },
        )

    transaction.on_commit(send)
