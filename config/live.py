"""Live delivery's guard: while the channel layer (Redis) is down, sockets are told so and closed.

Without it a socket is accepted and then dies with a traceback as soon as its consumer touches
the layer. With it the page gets `{"type": "unavailable"}` and close code 4503 ("try again
later"), says that live updates are paused (pages, forms and the API do not need Redis), and
keeps retrying with backoff until Redis answers again; no restart is needed.

After a Redis restart, every socket is closed with 4012 so that its page reconnects at once
and catches up on what was published while Redis was away, instead of staying open unaware.
"""

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import ClassVar

import redis.asyncio
from django.conf import settings

logger = logging.getLogger(__name__)

# 4000-4999 are ours (Autobahn refuses 1013); 4503 mirrors HTTP 503, as 4401 mirrors 401.
TRY_AGAIN_LATER = 4503
# 4012: reconnect now, Redis restarted (1012 "service restart" is refused too).
REDIS_RESTARTED = 4012
WATCH_EVERY = 2.0  # seconds between two looks at the Redis epoch token
PROBE_TIMEOUT = 3.0  # seconds; redis-py retries a refused connection for about one
ANSWERED_FOR = 1.0  # seconds a PING's answer stands for the sockets opening after it
WARN_EVERY = 30.0  # seconds: a reconnecting crowd must not flood the log


class _Outage:
    refused = 0
    warned_at: float | None = None
    error: Exception | None = None  # why the last PING failed


class _Probes:
    """A Redis client per event loop, apart from the layer's own connections: the layer
    (RedisPubSubChannelLayer) offers no health check, and its pub/sub socket must not wait
    behind a probe."""

    clients: ClassVar[dict[asyncio.AbstractEventLoop, redis.asyncio.Redis]] = {}
    answered_at: ClassVar[dict[asyncio.AbstractEventLoop, float]] = {}  # time.monotonic()
    pinging: ClassVar[dict[asyncio.AbstractEventLoop, asyncio.Task]] = {}


def _probe_client() -> redis.asyncio.Redis | None:
    # Only a Redis-backed layer has a server to lose; the in-memory layer is always there.
    if not getattr(settings, "REDIS_URL", None):
        return None
    loop = asyncio.get_running_loop()
    if loop not in _Probes.clients:
        _Probes.clients = {
            known: c for known, c in _Probes.clients.items() if not known.is_closed()
        }
        _Probes.answered_at = {
            known: at for known, at in _Probes.answered_at.items() if known in _Probes.clients
        }
        _Probes.pinging = {
            known: ping for known, ping in _Probes.pinging.items() if known in _Probes.clients
        }
        # One connection per process: a thousand pages reconnecting at once queue their
        # PINGs on it (each well under a millisecond) instead of opening a thousand more.
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            settings.REDIS_URL,
            max_connections=1,
            timeout=PROBE_TIMEOUT,
            socket_timeout=PROBE_TIMEOUT,
            socket_connect_timeout=PROBE_TIMEOUT,
        )
        _Probes.clients[loop] = redis.asyncio.Redis(connection_pool=pool)
    return _Probes.clients[loop]


def _prefix() -> str:
    return settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "asgi")


async def layer_available() -> bool:
    """Whether the channel layer's Redis answered a PING within the last ANSWERED_FOR seconds.

    Sockets opening meanwhile share one PING: after a restart thousands of pages reconnect
    at once, and a PING each, queued behind the handshakes, took longer than PROBE_TIMEOUT
    and turned most of them away with 4503 (docs/performance.md, "Reconnect storm")."""
    client = _probe_client()
    if client is None:
        return True
    loop = asyncio.get_running_loop()
    if time.monotonic() - _Probes.answered_at.get(loop, -ANSWERED_FOR) < ANSWERED_FOR:
        return True
    ping = _Probes.pinging.get(loop)
    if ping is None or ping.done():
        ping = _Probes.pinging[loop] = loop.create_task(_ping(client))
    return await asyncio.shield(ping)


async def _ping(client: redis.asyncio.Redis) -> bool:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            await client.ping()
    except Exception as error:  # any failure means no live delivery for now
        _Outage.error = error
        return False
    _Probes.answered_at[asyncio.get_running_loop()] = time.monotonic()
    if _Outage.warned_at is not None:
        logger.warning("Live delivery restored: the channel layer answers again.")
        _Outage.warned_at, _Outage.refused = None, 0
    return True


def _note_outage() -> None:
    """Count one socket turned away, and say so in the log at most every WARN_EVERY s."""
    _Outage.refused += 1
    now = time.monotonic()
    if _Outage.warned_at is None or now - _Outage.warned_at > WARN_EVERY:
        logger.warning(
            "Live delivery unavailable: the channel layer does not answer (%s); "
            "%d socket(s) told to retry later.",
            _Outage.error,
            _Outage.refused,
        )
        _Outage.warned_at, _Outage.refused = now, 0


class _Sockets:
    """This process's open sockets, to close them all when Redis has lost its groups."""

    open: ClassVar[dict[object, Callable]] = {}  # a token per socket -> its ASGI send
    watchdog: asyncio.Task | None = None


async def _epoch(client: redis.asyncio.Redis) -> bytes | None:
    """A token kept in Redis; it is gone after a restart or a flush."""
    key = f"{_prefix()}:epoch"
    await client.set(key, uuid.uuid4().hex, nx=True)
    return await client.get(key)


async def _watch(client: redis.asyncio.Redis) -> None:
    """Close every socket of this process once Redis has restarted or been flushed.

    Whatever was published while Redis was away reached no socket, and the layer re-subscribes
    on its own afterwards, so a socket would stay open having missed those events. Closed,
    each page reconnects at once and catches up from its last id.
    """
    # The token is read as the first socket opens, then every WATCH_EVERY s: read only after
    # a first wait, a restart within that wait went unseen, and no socket was ever closed.
    known = None
    while True:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                epoch = await _epoch(client)
        except Exception:
            epoch = None  # Redis is away: sockets reading from it fail and close by themselves
        if asyncio.current_task().cancelling():
            # redis-py can swallow a cancellation that lands mid-command; the loop would then
            # outlive its event loop's shutdown, which waits on it for ever.
            raise asyncio.CancelledError
        if epoch is not None:
            if known is not None and epoch != known:
                logger.warning(
                    "Redis restarted or was flushed: reconnecting %d socket(s) to catch up.",
                    len(_Sockets.open),
                )
                for send in list(_Sockets.open.values()):
                    with contextlib.suppress(Exception):
                        await send({"type": "websocket.close", "code": REDIS_RESTARTED})
            known = epoch
        await asyncio.sleep(WATCH_EVERY)


def _watching() -> bool:
    watchdog = _Sockets.watchdog
    return (
        watchdog is not None
        and not watchdog.done()
        and watchdog.get_loop() is asyncio.get_running_loop()
    )


class LiveLayerGuard:
    """ASGI middleware for WebSockets: refuse politely while the channel layer is down, and
    reconnect every socket when Redis has lost its groups."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        if await layer_available():
            client = _probe_client()
            if client is not None and not _watching():
                _Sockets.watchdog = asyncio.ensure_future(_watch(client))
            token = object()
            _Sockets.open[token] = send
            try:
                return await self.inner(scope, receive, send)
            finally:
                del _Sockets.open[token]
        _note_outage()
        await try_again_later(receive, send)


async def try_again_later(receive, send) -> None:
    """Accept, say live delivery is unavailable, close with 4503: the page keeps retrying."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": json.dumps({"type": "unavailable"})})
    await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
