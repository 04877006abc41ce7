"""A socket the server closes while its consumer waits on `receive()` is closed at once, on a
server that, like Granian, sends the close only once the pending receive lets go."""

import asyncio

import pytest

from config.closing import PromptClose

pytestmark = pytest.mark.pure


class LockingServer:
    """Granian's order: a receive holds the connection until a frame comes; a close waits."""

    def __init__(self):
        self.connection = asyncio.Lock()
        self.frames: asyncio.Queue = asyncio.Queue()
        self.closed_with = None

    async def receive(self):
        async with self.connection:
            if self.closed_with is not None:
                return {"type": "websocket.disconnect", "code": self.closed_with}
            return await self.frames.get()

    async def send(self, message):
        async with self.connection:
            if message["type"] == "websocket.close":
                self.closed_with = message["code"]


async def _close_while_receiving(app_wrapper):
    server = LockingServer()
    heard = []

    async def consumer(scope, receive, send):
        reading = asyncio.ensure_future(receive())  # as Channels keeps one waiting
        await asyncio.sleep(0.01)
        await send({"type": "websocket.close", "code": 4012})
        heard.append(await reading)

    app = app_wrapper(consumer)
    await asyncio.wait_for(app({"type": "websocket"}, server.receive, server.send), 1)
    return server.closed_with, heard


async def test_the_close_is_sent_without_waiting_for_a_frame():
    assert await _close_while_receiving(PromptClose) == (
        4012,
        [{"type": "websocket.disconnect", "code": 4012}],
    )


async def test_without_it_the_close_waits_for_the_next_frame():
    with pytest.raises(TimeoutError):
        await _close_while_receiving(lambda app: app)


async def test_a_cancelled_caller_stays_cancelled():
    server = LockingServer()

    async def consumer(scope, receive, send):
        reading = asyncio.ensure_future(receive())
        await asyncio.sleep(0.01)
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading

    await asyncio.wait_for(
        PromptClose(consumer)({"type": "websocket"}, server.receive, server.send), 1
    )
