"""The forum socket: subscribe to topics and rooms, catch up after a reconnect, post replies.

Thin on purpose: it parses, checks membership on every message, calls the services and
selectors, and forwards events. The protocol is in docs/realtime.md.
"""

import asyncio
import json
import logging
from collections import deque

from django.utils import translation
from django.utils.translation import gettext as _

from core.consumers import LiveConsumer, in_database_thread
from core.errors import DomainError
from core.gathered import Gathered
from core.hub import hub
from core.throttle import TOO_MANY_MESSAGES, MessageBudget
from forums import access, realtime, selectors, services
from forums.models import Room, Topic

MAX_FRAME = 32 * 1024
# Topic messages one socket may hold while it is busy with its own turn (a catch-up, a gap
# read from the database, an access check). Beyond them it has fallen too far behind: it is
# closed with FELL_BEHIND and the page reconnects at once with its last id (docs/realtime.md).
MAX_HELD = 1000
FELL_BEHIND = 4013
# Subscribes arriving together, read in one trip to a database thread (core.gathered): one
# statement of at most 200 (member, topic) pairs.
_catch_ups = Gathered(realtime.catch_ups, batch=200)
logger = logging.getLogger(__name__)


def _is_id(value) -> bool:
    # JSON true and false arrive as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool)


class ForumConsumer(LiveConsumer):
    async def connect(self):
        if not await self.signed_in():
            return
        user = self.user = self.scope["user"]
        self.topics: dict[int, int] = {}  # topic id -> newest event number sent
        self.rooms: set[int] = set()
        self.budget = MessageBudget()
        # Everything this socket hears comes from the process's hub (core/hub.py): topic and
        # forum events, and access changes (core.consumers.LiveConsumer). While it takes its
        # turn (subscribing, reading a gap, checking access), the hub holds its messages here
        # and `_take_held` handles them after, in order.
        self.turn = asyncio.Lock()
        self.held: deque | None = None  # made when first needed: 760 bytes a socket
        self.taking: asyncio.Task | None = None
        self.behind = False  # closed for holding more than MAX_HELD
        # Told when this member's memberships change, to drop what they may no longer read.
        await hub().join(realtime.access_group(user.pk), self)
        await self.accept()

    async def leave_hub(self) -> None:
        taking, self.taking = getattr(self, "taking", None), None
        if taking is not None:
            taking.cancel()
        topics, self.topics = getattr(self, "topics", {}), {}
        rooms, self.rooms = getattr(self, "rooms", set()), set()
        groups = [realtime.topic_group(topic_id) for topic_id in topics]
        groups += [realtime.room_group(room_id) for room_id in rooms]
        if hasattr(self, "user"):
            groups.append(realtime.access_group(self.user.pk))
        for group in groups:
            await hub().leave(group, self)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Counted before anything else, so a flood of garbage costs as much as one of posts.
        if not self.budget.spend():
            if self.budget.out_of_patience:
                await self.close(code=TOO_MANY_MESSAGES)
                return
            await self._error("rate_limited", _("Too many messages: wait a moment."))
            return
        if text_data is None or len(text_data.encode()) > MAX_FRAME:
            await self._error("too_large", "Messages are text of at most 32 KB.")
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
            await self._error("bad_json", "Messages are JSON objects.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._error("bad_message", "Messages are JSON objects with a type.")
            return
        handler = {
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "post": self._post,
            "ping": self._ping,
        }.get(content["type"])
        if handler is None:
            await self._error("unknown_type", f"Unknown message type {content['type']!r}.")
            return
        await handler(content)

    async def _error(self, code: str, message: str, **extra) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def _ping(self, content):
        await self.send_json({"type": "pong"})

    async def _subscribe(self, content):
        topic_id, room_id, after = (
            content.get("topic"),
            content.get("room"),
            content.get("after", 0),
        )
        if room_id is not None:
            if not _is_id(room_id):
                await self._error("not_found", "No such room.", room=room_id)
                return
            # Join, then check, in this socket's turn: the forum's events and an access change
            # arriving meanwhile wait for it, so "subscribed" goes first and the access check
            # sees the room.
            async with self.turn:
                self.rooms.add(room_id)
                await hub().join(realtime.room_group(room_id), self)
                if not await self._may_write_room(room_id):
                    self.rooms.discard(room_id)
                    await hub().leave(realtime.room_group(room_id), self)
                    await self._error("not_found", "No such room.", room=room_id)
                    return
                await self.send_json({"type": "subscribed", "room": room_id})
            return
        if not _is_id(topic_id) or not _is_id(after) or after < 0:
            await self._error("bad_message", "subscribe needs an integer topic and after.")
            return
        # Join first, then read what was missed: nothing falls between the two, and the
        # numbers let us drop what arrives twice. Subscribing again on the same socket never
        # resends what this socket already carried (events may be in flight to the page).
        # Live events arriving meanwhile wait for this turn to end.
        async with self.turn:
            known = self.topics.get(topic_id)
            self.topics[topic_id] = max(after, known if known is not None else after)
            await hub().join(realtime.topic_group(topic_id), self)
            caught_up = await self._catch_up(topic_id, after)
            if caught_up is None:  # followed before or not, not any more
                del self.topics[topic_id]
                await hub().leave(realtime.topic_group(topic_id), self)
                await self._error("not_found", "No such topic.", topic=topic_id)
                return
            missed, complete = caught_up
            for payload, text in missed:
                await self._forward(payload, text=text)
            await self.send_json(
                {
                    "type": "subscribed",
                    "topic": topic_id,
                    "last": self.topics[topic_id],
                    "complete": complete,
                }
            )

    async def _unsubscribe(self, content):
        topic_id, room_id = content.get("topic"), content.get("room")
        if not all(_is_id(value) for value in (topic_id, room_id) if value is not None):
            await self._error("bad_message", "unsubscribe needs an integer topic or room.")
            return
        if topic_id in self.topics:
            async with self.turn:
                self.topics.pop(topic_id, None)
                await hub().leave(realtime.topic_group(topic_id), self)
        if room_id in self.rooms:
            self.rooms.discard(room_id)
            await hub().leave(realtime.room_group(room_id), self)

    async def _post(self, content):
        topic_id, body = content.get("topic"), content.get("body")
        if not _is_id(topic_id) or not isinstance(body, str):
            await self._error("bad_message", "post needs an integer topic and a text body.")
            return
        topic = await self._writable_topic(topic_id)
        if topic is None:
            await self._error("not_found", "No such topic.", topic=topic_id)
            return
        try:
            post_id = await self._reply(topic, body)
        except DomainError as error:
            await self._error(error.code, str(error.message), topic=topic_id)
            return
        await self.send_json(
            {"type": "posted", "topic": topic_id, "post": post_id, "ref": content.get("ref")}
        )

    async def hear(self, message: dict) -> None:
        """A message of a followed topic or forum, or of this member's access, from the hub:
        sent at once when it is the next event of the topic (or a forum's event) and this
        socket is not in its own turn; otherwise held."""
        event = message.get("event")
        if message["type"] == "forum.event" and not self.held and not self.turn.locked():
            if "id" not in event:  # a forum's event: no numbers to keep
                await self._forward(event, text=message.get("text"))
                return
            last = self.topics.get(event["topic"])
            if last is None or event["id"] <= last:
                return  # not followed (any more), or already sent
            if event["id"] == last + 1:
                self.topics[event["topic"]] = event["id"]
                if "frame" in message:
                    await self.base_send(message["frame"])
                else:
                    await self.send_json(event)
                return
        if self.behind:
            return  # closed already; the page catches up when it reconnects
        if self.held is None:
            self.held = deque()
        if len(self.held) >= MAX_HELD:
            self.behind = True
            self.held.clear()
            await self.close(code=FELL_BEHIND)
            return
        self.held.append(message)
        if self.taking is None or self.taking.done():
            self.taking = asyncio.ensure_future(self._take_held())

    async def _take_held(self) -> None:
        """Send what the hub held for this socket, in order, once the socket's turn is free."""
        try:
            with translation.override(self.language):
                async with self.turn:
                    while self.held:
                        message = self.held.popleft()
                        if message["type"] == "forum.event":
                            await self.forum_event(message)
                        else:
                            await self._check_access()
        except asyncio.CancelledError:
            raise
        except Exception:
            # As an error in the consumer would: the page reconnects and catches up.
            logger.warning("Live events not delivered to one socket", exc_info=True)
            await self.close(code=1011)

    async def forum_event(self, message):
        await self._forward(message["event"], text=message.get("text"))

    async def _check_access(self) -> None:
        """A membership ended or a topic moved: keep only what this member may still follow."""
        topics, rooms = await self._still_writable(list(self.topics), list(self.rooms))
        for topic_id in set(self.topics) - topics:
            del self.topics[topic_id]
            await hub().leave(realtime.topic_group(topic_id), self)
            await self.send_json({"type": "revoked", "topic": topic_id})
        for room_id in self.rooms - rooms:
            self.rooms.discard(room_id)
            await hub().leave(realtime.room_group(room_id), self)
            await self.send_json({"type": "revoked", "room": room_id})

    async def _forward(self, event: dict, *, text: str | None = None) -> None:
        """Send one event if this socket follows it; `text` is the event already encoded."""
        topic_id = event.get("topic")
        if "id" in event:
            last = self.topics.get(topic_id)
            if last is None or event["id"] <= last:
                return  # not followed (any more), or already sent by catch-up or the group
            if event["id"] > last + 1:
                # Events sent from different processes can overtake each other; the
                # database has the ones in between, since numbers are given in commit order.
                for missed in await self._events_between(topic_id, last, event["id"]):
                    if missed["id"] > self.topics[topic_id]:
                        self.topics[topic_id] = missed["id"]
                        await self.send_json(missed)
            self.topics[topic_id] = event["id"]
        elif event.get("room") not in self.rooms:
            return
        if text is None:
            await self.send_json(event)
        else:
            await self.send(text_data=text)

    # --- database work, each call checking membership afresh -------------------------------

    @in_database_thread
    def _writable_topic(self, topic_id: int) -> Topic | None:
        topic = Topic.objects.select_related("room__cluster").filter(pk=topic_id).first()
        if topic is None or not access.can_follow(self._fresh_user(), topic.room):
            return None
        return topic

    @in_database_thread
    def _may_write_room(self, room_id: int) -> bool:
        room = Room.objects.select_related("cluster").filter(pk=room_id).first()
        return room is not None and access.can_follow(self._fresh_user(), room)

    async def _catch_up(self, topic_id: int, after: int) -> realtime.CatchUp | None:
        """The events after `after` with their text and whether that is all of them, or None
        if the member may not follow the topic or it does not exist (`access.followable_topics`
        answers an id no column holds without reading). Subscribes arriving together, as a
        crowd reconnecting after a restart, share one trip (core.gathered). Events after the
        topic's last number as read here come through the hub, which this socket joined
        before."""
        return await _catch_ups((self.user, topic_id, after))

    @in_database_thread
    def _events_between(self, topic_id: int, last: int, upto: int) -> list[dict]:
        topic = Topic.objects.filter(pk=topic_id).first()
        if topic is None:
            return []
        return [
            realtime.event_payload(event, topic)
            for event in selectors.events_after(topic, last)
            if event.number < upto
        ]

    @in_database_thread
    def _still_writable(self, topic_ids: list[int], room_ids: list[int]) -> tuple[set, set]:
        user = self._fresh_user()
        topics = Topic.objects.select_related("room__cluster").filter(pk__in=topic_ids)
        rooms = Room.objects.select_related("cluster").filter(pk__in=room_ids)
        return (
            {topic.pk for topic in topics if access.can_follow(user, topic.room)},
            {room.pk for room in rooms if access.can_follow(user, room)},
        )

    @in_database_thread
    def _reply(self, topic: Topic, body: str) -> int:
        return services.post_reply(topic=topic, author=self._fresh_user(), body=body).pk

    def _fresh_user(self):
        # Membership and name can change while the socket is open; never trust a cached
        # answer (a reply's live event names its author from the profile in hand).
        access.forget_memberships(self.user)
        profile = type(self.user)._meta.get_field("profile")
        if profile.is_cached(self.user):
            profile.delete_cached_value(self.user)
        return self.user
