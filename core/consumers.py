"""The base of every live socket: language, signed-in check, per-member socket cap, refusals
that reach the browser as close codes (docs/realtime.md)."""

import contextlib
import functools
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from asgiref.sync import SyncToAsync
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.throttle import TOO_MANY_MESSAGES

# Close codes in the 4000 range are ours; 4401 mirrors HTTP 401.
NOT_SIGNED_IN = 4401
# Sockets of one kind one member may hold open on one server process: a page holds one of
# each, so this is twenty tabs. Counted in the process, exactly, and freed with the socket;
# a process that dies takes its count with it (docs/realtime.md, "Limits").
MAX_SOCKETS_PER_MEMBER = 20
CROWDED = gettext_lazy("Too many open pages: close some to follow this one live.")
_open_sockets: Counter = Counter()  # (consumer class, member id) -> sockets open here


# Every socket's database work in this process runs on these threads, and each keeps its
# connection from one call to the next: opening one forks a PostgreSQL backend, a quarter of
# a handshake's time (docs/performance.md). Bounded, so the connections held are too.
DATABASE_THREADS = 8
# A connection idle longer than this is checked (one round trip) before its next query; one
# busy more recently is trusted, and if it fails all the same it is closed after the call.
CHECK_AFTER_IDLE = 1.0  # seconds
_database_threads = ThreadPoolExecutor(DATABASE_THREADS, thread_name_prefix="socket-database")
# A connection those threads hold -> time.monotonic() its last call ended.
_kept: dict[BaseDatabaseWrapper, float] = {}


def in_database_thread(func):
    """Run `func` on the sockets' database threads. Channels' default runs every socket's
    database work in one thread of the process, one call after another: a reconnect of
    thousands of pages then queued behind a single connection. Each call is self-contained,
    so no call needs the thread of the one before."""

    @functools.wraps(func)
    def call(*args, **kwargs):
        now = time.monotonic()
        for connection in connections.all(initialized_only=True):
            connection.health_check_done = now - _kept.get(connection, 0) < CHECK_AFTER_IDLE
        try:
            return func(*args, **kwargs)
        finally:
            for connection in connections.all(initialized_only=True):
                # Kept whatever CONN_MAX_AGE pages use (their threads come and go, these
                # stay), unless it failed: a database that restarts is reconnected at once.
                connection.close_at = None
                connection.close_if_unusable_or_obsolete()
                _kept[connection] = time.monotonic()

    return SyncToAsync(call, thread_sensitive=False, executor=_database_threads)


def close_kept_connections() -> None:
    """Close the connections the sockets' database threads keep, while they are idle: before
    a test database is dropped, which PostgreSQL refuses while anyone is connected."""
    for connection in list(_kept):
        connection.inc_thread_sharing()
        try:
            connection.close()
        finally:
            connection.dec_thread_sharing()
    _kept.clear()


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """A JSON socket whose handlers reach the database only through `in_database_thread`.
    It has no channel of its own on the layer: the process's hub (core/hub.py) brings its
    messages, so an idle socket holds no queue and no task there."""

    channel_layer_alias = None

    async def leave_hub(self) -> None:
        """Leave every hub group this socket joined; run however the socket ends."""

    async def disconnect(self, code):
        await self.leave_hub()

    async def websocket_disconnect(self, message):
        # Channels' own then closes stale database connections in the process's one thread
        # for sync work: when a restart drops thousands of sockets, thousands of trips in a
        # row there, an eighth of the server's time. This socket holds no layer groups, and
        # `in_database_thread` looks after the connections its threads keep.
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def dispatch(self, message):
        # Channels' own dispatch first closes stale database connections, a trip to the
        # database thread before every message: for a post read on a thousand pages, a
        # thousand trips in a row. `in_database_thread` looks after them in its threads.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        # Errors and refusals read in the member's language, as their pages do.
        with translation.override(self.language):
            await handler(message)

    @property
    def language(self) -> str:
        if not hasattr(self, "_language"):
            headers = dict(self.scope.get("headers", ()))
            asked = SimpleNamespace(
                COOKIES=self.scope.get("cookies", {}),
                META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode()},
            )
            # The language switch's cookie, then the browser's Accept-Language, as for pages.
            self._language = translation.get_language_from_request(asked)
        return self._language

    async def refuse(self, code: int) -> None:
        """Accept, then close with `code`: a close before accepting reaches the browser as an
        HTTP 403 and close code 1006, which a page cannot tell from a network failure."""
        await self.accept()
        await self.close(code=code)

    async def signed_in(self) -> bool:
        """Whether a signed-in member may open this socket; if not, it is closed: 4401 without
        a member, 4429 with an error frame when they hold too many sockets already."""
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(NOT_SIGNED_IN)
            return False
        key = (type(self), user.pk)
        if _open_sockets[key] >= MAX_SOCKETS_PER_MEMBER:
            await self.accept()
            await self.send_json(
                {
                    "type": "error",
                    "code": "too_many_sockets",
                    "message": str(CROWDED),
                }
            )
            await self.close(code=TOO_MANY_MESSAGES)
            return False
        _open_sockets[key] += 1
        self.counted = key
        return True

    async def _serve(self, scope, receive, send) -> None:
        """Channels' consumer loop for a socket without a channel of its own: the socket's
        messages are read here, one after another, without the task per source and per
        message that Channels' loop keeps for each open socket."""
        self.scope, self.channel_layer, self.base_send = scope, None, send
        with contextlib.suppress(StopConsumer):
            while True:
                await self.dispatch(await receive())

    async def __call__(self, scope, receive, send):
        # Freed however the socket ends, even when the server cancels a consumer that never
        # heard the disconnect: a leaked count would lock the member out of this process, a
        # socket left in the hub would keep the process subscribed.
        try:
            await self._serve(scope, receive, send)
        finally:
            await self.leave_hub()
            key = getattr(self, "counted", None)
            if key is not None:
                _open_sockets[key] -= 1
                if _open_sockets[key] <= 0:
                    del _open_sockets[key]
