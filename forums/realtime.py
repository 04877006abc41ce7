"""Live forum events: group names, payloads built once, and sending after commit.

The protocol is documented in docs/realtime.md.
"""

import json
import time

from django.db import transaction
from django.template.loader import render_to_string

from core.compiled import compiled_read
from core.realtime import member_group, send, send_on_commit
from forums import access, selectors
from forums.models import Post, Room, Topic, TopicEvent
from network.models import User

# After a restart thousands of pages of one topic reconnect with the same last id and ask
# for the same missed events: each set is read, rendered and encoded once a second, then
# shared. Its key holds all it depends on; an edit, a hide or a change of the topic's state
# is a new event, so a new key.
SHARED_FOR = 1.0  # seconds
SHARED_SETS = 64
_missed: dict[tuple, tuple[float, list[tuple[dict, str]], bool]] = {}
# A catch-up: the events missed, each with its encoded text, and whether that is all.
CatchUp = tuple[list[tuple[dict, str]], bool]


def topic_group(topic_id: int) -> str:
    return f"topic.{topic_id}"


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def access_group(user_id: int) -> str:
    """Every forum socket of one member, told when their access may have shrunk (not core's
    member group, which carries member.event frames to /ws/me/)."""
    return member_group(user_id, "forums")


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
    # Every event carries the topic's state, so a page stays right whichever event it gets
    # (hiding the accepted answer, for one, also unsolves the question).
    payload = {
        "type": event.kind,
        "topic": topic.pk,
        "id": event.number,
        "accepted_post": topic.accepted_post_id,
        "locked": topic.is_locked,
        "pinned": topic.is_pinned,
    }
    if event.post is not None:
        payload["post"] = post_payload(event.post)
    return payload


def missed_events(topic: Topic, after: int) -> CatchUp:
    """The topic's events after `after` up to its last as `topic` was read, each with its
    encoded text, and whether that is all of them. Every one of those events committed
    before `topic` was read, so the state it carries is at least as new as each."""
    key = (topic.pk, after, topic.last_event_id, *_state(topic))
    now = time.monotonic()
    # Only the last second's sets are kept, at most SHARED_SETS: one of 500 events is
    # megabytes. (A few dozen entries to look over, against a read from the database.)
    for old, (read_at, _found, _complete) in list(_missed.items()):
        if now - read_at >= SHARED_FOR:
            _missed.pop(old, None)
    shared = _missed.get(key)
    if shared is not None:
        return shared[1], shared[2]
    events = selectors.events_after(topic, after, through=topic.last_event_id)
    payloads = [event_payload(event, topic) for event in events]
    found = [(payload, json.dumps(payload)) for payload in payloads]
    complete = len(events) < selectors.MAX_CATCH_UP
    if len(_missed) < SHARED_SETS:
        _missed[key] = (now, found, complete)
    return found, complete


def catch_ups(asked: list[tuple[User, int, int]]) -> list[CatchUp | Exception | None]:
    """For each (member, topic id, last event id the page holds): the events it missed with
    their text and whether that is all of them, or None if the member may not follow the
    topic. One statement asks who may follow for them all (`access.followable_topics`); a
    set of missed events is read once for every page that missed the same (`missed_events`).
    One read's failure is that page's answer alone."""
    topics = access.followable_topics([(user, topic_id) for user, topic_id, _ in asked])
    answers = []
    for (_, _, after), topic in zip(asked, topics, strict=True):
        if topic is None:
            answers.append(None)
        elif topic.last_event_id <= after:
            answers.append(([], True))  # nothing missed: no read of the events
        else:
            try:
                answers.append(missed_events(topic, after))
            except Exception as error:
                answers.append(error)
    return answers


def _state(topic: Topic) -> tuple:
    return topic.accepted_post_id, topic.is_locked, topic.is_pinned


def _message(event: dict, group: str) -> dict:
    # Encoded here, once, rather than by each of the thousand sockets that forward it. The
    # group's name tells the process's hub (core/hub.py) which local sockets it is for.
    return {"type": "forum.event", "event": event, "text": json.dumps(event), "group": group}


def broadcast_topic_event(event: TopicEvent) -> None:
    """After commit, build the payload once and hand it to every open page of the topic."""

    def deliver() -> None:
        if event.kind == TopicEvent.Kind.POST_CREATED:
            # A new post in a topic its transaction locked (or created): what is in hand is
            # what committed, and a post changes none of the topic's state. Read back, it
            # was a tenth of a reply's time.
            fresh = event
        else:
            # Other changes may have been written past the objects in hand (an update).
            fresh = TopicEvent.objects.select_related(
                "topic", "post__author__profile", "post__topic"
            ).get(pk=event.pk)
        group = topic_group(fresh.topic_id)
        send(group, _message(event_payload(fresh, fresh.topic), group))

    transaction.on_commit(deliver)


@compiled_read()
def _counts_of(p):
    counts = Topic.objects.filter(pk=p.topic)
    return counts.values_list("room_id", "title", "post_count", "room__topic_count")


def broadcast_room_change(topic: Topic, kind: str, *, room_id: int | None = None) -> None:
    """New topics and changed counts for open forum pages.

    With `room_id` other than the topic's room (the room a topic left), only the count is
    told: that room's readers may not read where the topic went.
    """

    def deliver() -> None:
        # The counts as committed: only the four values, not the topic and its room.
        found = _counts_of(topic=topic.pk)
        if not found:
            raise Topic.DoesNotExist  # as .get() would
        ((now_in, title, posts, topics),) = found
        if room_id is not None and room_id != now_in:
            count = Room.objects.values_list("topic_count", flat=True).get(pk=room_id)
            event = {"type": kind, "room": room_id, "topic": topic.pk, "topics": count}
        else:
            event = {
                "type": kind,
                "room": now_in,
                "topic": topic.pk,
                "title": title,
                "url": topic.get_absolute_url(),
                "posts": posts,
                "topics": topics,
            }
        group = room_group(event["room"])
        send(group, _message(event, group))

    transaction.on_commit(deliver)


def broadcast_topic_access(topic: Topic) -> None:
    """After commit, make every socket following the topic check it may still (it moved)."""
    group = topic_group(topic.pk)
    send_on_commit(group, {"type": "forum.access", "topic": topic.pk, "group": group})


def broadcast_member_access(user_id: int) -> None:
    """After commit, make the member's forum sockets drop what they may no longer follow."""
    group = access_group(user_id)
    send_on_commit(group, {"type": "forum.access", "member": user_id, "group": group})
