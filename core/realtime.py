"""Live events to open pages: group names, and sending once the change has committed.

Every app sends through here; the payloads and what each socket does with them are in
docs/realtime.md.
"""

import asyncio
import concurrent.futures
import logging
import os
import threading
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)
# A send that takes longer is given up and logged; pages catch up by id.
SEND_TIMEOUT = 10.0


# Groups of one member are many (one per member with a page open) and quiet. Each process
# hears all of them through this one layer group and its hub (core/hub.py) hands a message
# to that member's sockets alone, so opening a socket costs no Redis subscription of its own.
MEMBERS = "members"


def member_group(user_id: int, purpose: str = "") -> str:
    """Every /ws/me/ socket of one member (member.event frames about them), or with
    `purpose`, another kind of that member's sockets."""
    return f"member.{user_id}.{purpose}" if purpose else f"member.{user_id}"


def carrier(group: str) -> str:
    """The group on the channel layer that brings `group`'s messages to each process."""
    return MEMBERS if group.startswith("member.") else group


class _Publisher:
    """One event loop per process, in a thread of its own, that publishes for sync code.

    async_to_sync outside a server starts a thread and an event loop for every call, and a
    Redis layer opens a new connection for each new loop: three of those per reply were
    most of a reply's time. Here the loop, and the layer's connection on it, stay. Sends
    still return only once the layer has the message, one after the other, in order.
    """

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pid: int | None = None
        self.lock = threading.Lock()

    def _started(self) -> asyncio.AbstractEventLoop:
        with self.lock:
            # A forked child inherits the loop but not its thread: it starts its own.
            if self.loop is None or self.pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="realtime-publisher", daemon=True
                ).start()
                self.loop, self.pid = loop, os.getpid()
            return self.loop

    def send(self, layer, group: str, message: dict) -> None:
        future = asyncio.run_coroutine_threadsafe(
            layer.group_send(group, message), self._started()
        )
        try:
            future.result(timeout=SEND_TIMEOUT)
        except concurrent.futures.TimeoutError:
            # Given up means not sent later either, behind newer events.
            future.cancel()
            raise


_publisher = _Publisher()


def send(group: str, message: dict) -> None:
    """Hand a message to every socket of a group now. A layer that fails is logged, not
    raised: the database already holds the change, and pages catch up when they reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if isinstance(layer, InMemoryChannelLayer):
            # Its queues belong to the loop of the process's sockets (and of the tests).
            async_to_sync(layer.group_send)(carrier(group), message)
        else:
            _publisher.send(layer, carrier(group), message)
    except Exception:
        logger.warning("Live event to %s not delivered", group, exc_info=True)


def send_on_commit(group: str, message: dict) -> None:
    """Send once the current transaction commits; nothing if it rolls back."""
    transaction.on_commit(lambda: send(group, message))


def send_to_members_on_commit(user_ids: Iterable[int], event: dict) -> None:
    """Push an event to every open page of these members once the change has committed."""
    user_ids = list(user_ids)

    def send_all() -> None:
        for user_id in user_ids:
            group = member_group(user_id)  # the group tells the hub (core/hub.py) its sockets
            send(group, {"type": "member.event", "event": event, "group": group})

    transaction.on_commit(send_all)
