"""Live fan-out: one subscription per group per process, one write per local socket.

Channels routes each socket, checks it and runs its lifecycle; delivery of a busy group's
messages does not go through each socket's consumer. The process joins a group once, with
a channel of its own, when its first local socket asks for it, and leaves it when the last
one goes. The layer then carries each message once to the process (one Redis subscription
with RedisPubSubChannelLayer, one copy with the in-memory layer) and the hub hands that one
message to every local listener in turn, in the order the layer delivered them
(docs/realtime.md, "Fan-out").
"""

import asyncio
import logging
from typing import ClassVar, Protocol

from channels.layers import get_channel_layer

from core.realtime import carrier

logger = logging.getLogger(__name__)

RETRY_AFTER = 1.0  # seconds before receiving again when the layer failed


class Listener(Protocol):
    async def hear(self, message: dict) -> None:
        """One message of a group this listener joined; it must not wait for the network
        longer than writing one frame takes."""


class Hub:
    """The fan-out of one event loop (one server process)."""

    def __init__(self):
        self.layer = get_channel_layer()
        self.groups: dict[str, set[Listener]] = {}
        # Layer group -> the local groups it carries here (core.realtime.carrier): one
        # subscription serves every member's group, however many members have pages open.
        self.carried: dict[str, set[str]] = {}
        self.changing = asyncio.Lock()  # joins and leaves, so the layer sees them in order
        self.channel: str | None = None
        self.receiving: asyncio.Task | None = None

    async def join(self, group: str, listener: Listener) -> None:
        """Hear `group` from now on: once this returns, every message sent to the group
        reaches `listener`."""
        async with self.changing:
            listeners = self.groups.get(group)
            if listeners is None:
                on_layer = carrier(group)
                if on_layer not in self.carried:
                    if self.channel is None:
                        self.channel = await self.layer.new_channel()
                        self.receiving = asyncio.ensure_future(self._receive(self.channel))
                    await self.layer.group_add(on_layer, self.channel)
                    self.carried[on_layer] = set()
                self.carried[on_layer].add(group)
                listeners = self.groups[group] = set()
            listeners.add(listener)

    async def leave(self, group: str, listener: Listener) -> None:
        """Stop hearing `group`; the process unsubscribes when its last listener leaves."""
        async with self.changing:
            listeners = self.groups.get(group)
            if listeners is None or listener not in listeners:
                return
            listeners.discard(listener)
            if listeners:
                return
            del self.groups[group]
            on_layer = carrier(group)
            self.carried[on_layer].discard(group)
            if self.carried[on_layer]:
                return
            del self.carried[on_layer]
            try:
                await self.layer.group_discard(on_layer, self.channel)
            except Exception:
                # Redis is away: nothing is heard of the group meanwhile, and a socket that
                # subscribes again joins it afresh.
                logger.warning("Live fan-out could not leave %s", group, exc_info=True)
            finally:
                if not self.groups:
                    self._stop()

    def _stop(self) -> None:
        # No group left: stop receiving, so an idle process holds nothing open.
        if self.receiving is not None:
            self.receiving.cancel()
        self.channel, self.receiving = None, None

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Live fan-out could not receive; retrying", exc_info=True)
                await asyncio.sleep(RETRY_AFTER)
                continue
            await self.deliver(message)

    async def deliver(self, message: dict) -> None:
        """Hand one message to every local listener of its group (`message["group"]`)."""
        listeners = self.groups.get(message.get("group"))
        if not listeners:
            return
        if "text" in message:
            # The frame, encoded once by the sender, is one object for every socket.
            message["frame"] = {"type": "websocket.send", "text": message["text"]}
        for listener in list(listeners):
            try:
                await listener.hear(message)
            except Exception as error:  # one closing socket must not deafen the others
                logger.info("Live event not delivered to one socket: %r", error)


class _Hubs:
    by_loop: ClassVar[dict[asyncio.AbstractEventLoop, Hub]] = {}


def hub() -> Hub:
    """This event loop's hub (a server process runs one loop)."""
    loop = asyncio.get_running_loop()
    found = _Hubs.by_loop.get(loop)
    if found is None:
        _Hubs.by_loop = {known: h for known, h in _Hubs.by_loop.items() if not known.is_closed()}
        found = _Hubs.by_loop[loop] = Hub()
    return found
