"""A socket the server closes is closed at once, whatever the server.

Granian sends `websocket.close` only once the socket's pending `receive()` has let go of the
connection, that is when the page next sends a frame: up to a minute (forum.js re-subscribes
every 60 s). Channels waits on `receive()` the whole time a consumer handles a group message,
and the Redis watchdog (config/live.py) closes sockets that are all waiting on it. So the
pending receive is cancelled before a close, and the next one reports the disconnect.
"""

import asyncio


class PromptClose:
    """ASGI middleware for WebSockets: a close is sent now, not after the next frame."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        pending: set[asyncio.Task] = set()

        async def receive_now():
            while True:
                reading = asyncio.ensure_future(receive())
                pending.add(reading)
                try:
                    return await reading
                except asyncio.CancelledError:
                    if asyncio.current_task().cancelling():
                        raise  # the caller was cancelled, not only the read
                    # Cancelled by a close: the server now answers with the disconnect.
                finally:
                    pending.discard(reading)

        async def send_now(message):
            if message["type"] == "websocket.close":
                for reading in pending:
                    reading.cancel()
            await send(message)

        return await self.inner(scope, receive_now, send_now)
