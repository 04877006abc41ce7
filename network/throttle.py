"""A per-connection message budget for WebSocket consumers (docs/realtime.md, "Limits").

A token bucket: a socket may send a burst of messages at once, then a steady rate; what it
sends beyond is refused with an error, and a socket that keeps sending regardless is closed.
Each connection has its own budget, so one flooding page never slows another.
"""

import time

# Generous for a page, which subscribes to a topic and a forum and re-subscribes each minute.
BURST = 30
PER_SECOND = 3.0
# Refusals in a row before the socket is closed: a client that ignores its errors is a flood.
PATIENCE = 30
TOO_MANY_MESSAGES = 4429  # close code: our 4000 range, mirroring HTTP 429


def _now() -> float:
    return time.monotonic()


class MessageBudget:
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
