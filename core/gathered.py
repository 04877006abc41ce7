"""Sockets' reads that arrive together, answered in one trip to a database thread.

When a restart brings thousands of pages back at once, each handshake and each subscribe
asks the database one small question. A trip to a database thread and a statement each cost
more than the question itself (docs/performance.md, "Handshakes read together"), so the
questions waiting are read together: one trip at a time per event loop, each taking every
question waiting, up to `batch`. Alone, a question waits for nothing.
"""

import asyncio
from collections.abc import Callable

from core.consumers import in_database_thread


class Gathered:
    """`await gathered(question)`: the answer `read_all` gives it among the questions read
    with it. `read_all(questions)` runs on a database thread and answers each question in
    order, with an exception for a question's own failure; if it raises, every question of
    that trip hears it, and the next trip reads the questions waiting since."""

    def __init__(self, read_all: Callable[[list], list], *, batch: int):
        self.read_all = in_database_thread(read_all)
        self.batch = batch
        self._waiting: dict[asyncio.AbstractEventLoop, list] = {}
        self._reading: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}

    async def __call__(self, question):
        loop = asyncio.get_running_loop()
        answer = loop.create_future()
        self._waiting.setdefault(loop, []).append((question, answer))
        reader = self._reading.get(loop)
        if reader is None or reader.done():
            self._reading[loop] = loop.create_task(self._read_waiting(loop))
        return await answer

    async def _read_waiting(self, loop: asyncio.AbstractEventLoop) -> None:
        trip = []
        try:
            while waiting := self._waiting.pop(loop, []):
                self._waiting[loop], trip = waiting[self.batch :], waiting[: self.batch]
                try:
                    answers = await self.read_all([question for question, _ in trip])
                except Exception as error:  # each question answers for it
                    answers = [error] * len(trip)
                for (_, answer), found in zip(trip, answers, strict=True):
                    if answer.done():  # a socket that left meanwhile
                        continue
                    if isinstance(found, Exception):
                        answer.set_exception(found)
                    else:
                        answer.set_result(found)
                trip = []
        finally:
            # Cancelled (the loop is closing): no question is left waiting on a reader gone.
            for _, answer in [*trip, *self._waiting.pop(loop, [])]:
                answer.cancel()
            self._reading.pop(loop, None)
