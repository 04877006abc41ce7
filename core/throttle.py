"""Limits: a message budget per WebSocket, and per-member rates shared by every process.

The budget is a token bucket: a socket may send a burst of messages at once, then a steady
rate; what it sends beyond is refused with an error, and a socket that keeps sending
regardless is closed. Each connection has its own, so one flooding page never slows another.

A per-member rate (`within_rate`) counts an action in the shared cache (Redis when
configured), so it holds whichever edge, socket or process the member uses
(docs/realtime.md, "Limits").
"""

import time

from django.core.cache import cache

# Generous for a page, which subscribes to a topic and a forum and re-subscribes each minute.
BURST = 30
PER_SECOND = 3.0
# Refusals in a row before the socket is closed: a client that ignores its errors is a flood.
PATIENCE = 30
TOO_MANY_MESSAGES = 4429  # close code: our 4000 range, mirroring HTTP 429


def _now() -> float:
    return time.monotonic()


class MessageBudget:
    # One per socket: slots, not a dictionary of attributes.
    __slots__ = ("burst", "patience", "per_second", "refused", "tokens", "updated")

    def __init__(self) -> None:
        self.burst, self.per_second, self.patience = BURST, PER_SECOND, PATIENCE
        self.tokens = float(self.burst)
        self.refused = 0
        self.updated = _now()

    def spend(self) -> bool:
        """Take one message from the budget; False if there is none left."""
        now = _now()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refused = 0
            return True
        self.refused += 1
        return False

    @property
    def out_of_patience(self) -> bool:
        return self.refused > self.patience


def _wall() -> float:
    return time.time()  # shared by processes, unlike the monotonic clock


def _counted(key: str, *, timeout: int) -> int:
    """One more under `key`: a single round trip once the window has its count."""
    try:
        return cache.incr(key)
    except ValueError:  # the window's first action
        cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def within_rate(key: str, *, limit: int, per: int) -> bool:
    """Count one action under `key` if fewer than `limit` were counted in the last `per`
    seconds; otherwise count nothing and answer False.

    A sliding window over two fixed ones: the previous window weighs as much of it as still
    lies within `per` seconds, so a burst across a window's edge is not counted twice as
    generously. The increment comes first, so concurrent requests cannot all slip through.
    """
    now = _wall()
    slot = int(now // per)
    current, previous = f"rate:{key}:{slot}", f"rate:{key}:{slot - 1}"
    count = _counted(current, timeout=2 * per)
    earlier = cache.get(previous, 0) * (1 - (now / per - slot))
    if count + earlier > limit:
        cache.decr(current)  # a refused action is not held against the member
        return False
    return True
