"""The WebSocket client harness: the same clients for Pioneros and for the bare reference.

Clients live in their own processes (spawned, one asyncio loop each), driven over pipes by
the bench. Readers subscribe to a topic and time each post from the moment its writer sent
it: the writer puts its monotonic clock in the post's body, which every reader finds in the
event's HTML. CLOCK_MONOTONIC is one clock for all processes of a Linux machine.
"""

import array
import asyncio
import contextlib
import json
import logging
import multiprocessing
import re
import time
from collections import deque

from websockets.asyncio.client import connect

MARK = re.compile(r"bench r(\d+) s(\d+) t(\d+)")
POST_EVENT = '{"type": "post.created"'
# A topic event's own number comes before its post's id (forums.realtime.event_payload).
EVENT_ID = re.compile(r'"topic": \d+, "id": (\d+)')
# Sockets open a few at a time per client process: a ramp, not a stampede (bench/storm.py
# measures the stampede).
CONNECT_CONCURRENCY = 16
CLOSE_CONCURRENCY = 256


def _open(url: str, session: str, origin: str, ping_interval: float | None):
    return connect(
        url,
        origin=origin,
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=120,
        ping_interval=ping_interval,
        ping_timeout=120,
        close_timeout=5,
        max_size=2**20,
        compression=None,  # as shipped, no server compresses (config/serve_uvicorn.py)
    )


class Reader:
    __slots__ = ("seen", "socket", "task")

    def __init__(self, socket):
        self.socket = socket
        self.seen: set[int] = set()
        self.task = None


class Follower:
    """A page that follows a topic across drops: reconnects and catches up by its last id."""

    __slots__ = ("arrivals", "attempts", "back_ns", "doubled", "last", "session", "task")

    def __init__(self, session: str, after: int):
        self.session = session
        self.last = after  # the highest event id seen, sent as `after` on every subscribe
        self.arrivals: dict[int, int] = {}  # event id -> monotonic ns it first came
        self.doubled = 0  # events that came again, on this socket or a later one
        self.attempts = 0  # reconnections that failed (refused, timed out, closed early)
        self.back_ns = 0  # when its latest subscribe was answered
        self.task = None


class Clients:
    """Everything one client process holds: its readers, its writers and the current round."""

    def __init__(self):
        self.readers: list[Reader] = []
        self.writers: list = []
        self.replies: dict[int, deque] = {}
        self.listeners: list[asyncio.Task] = []
        self.round = -1
        self.expected = 0
        self.waiting = 0
        self.complete = asyncio.Event()
        self.latencies = array.array("q")
        self.received = 0
        self.duplicates = 0
        self.last_ns = 0
        self.followers: list[Follower] = []
        self.server_up = asyncio.Event()
        self.server_up.set()

    # --- readers --------------------------------------------------------------------------

    async def connect(self, *, url, origin, sessions, topic, after, ping_interval=20.0) -> dict:
        """Open one socket per session, then subscribe each; timed separately."""
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        failures: list[str] = []

        async def one(session):
            async with gate:
                try:
                    return await _open(url, session, origin, ping_interval)
                except Exception as error:  # refused, timed out, closed: counted, not fatal
                    failures.append(type(error).__name__)
                    return None

        started = time.monotonic()
        sockets = [s for s in await asyncio.gather(*map(one, sessions)) if s is not None]
        opened = time.monotonic()

        async def subscribe(socket):
            async with gate:
                try:
                    await socket.send(
                        json.dumps({"type": "subscribe", "topic": topic, "after": after})
                    )
                    while '"subscribed"' not in (reply := await socket.recv()):
                        if '"error"' in reply:
                            raise RuntimeError(reply)
                except Exception as error:
                    failures.append(type(error).__name__)
                    await socket.close()
                    return None
                reader = Reader(socket)
                reader.task = asyncio.create_task(self._read(reader))
                return reader

        readers = [r for r in await asyncio.gather(*map(subscribe, sockets)) if r is not None]
        self.readers += readers
        return {
            "opened": len(sockets),
            "subscribed": len(readers),
            "failed": failures,
            "open_seconds": opened - started,
            "subscribe_seconds": time.monotonic() - opened,
        }

    async def _read(self, reader: Reader) -> None:
        with contextlib.suppress(Exception):
            async for raw in reader.socket:
                if not raw.startswith(POST_EVENT):
                    continue
                now = time.monotonic_ns()
                found = MARK.search(raw)
                if found is None or int(found[1]) != self.round:
                    continue  # an older round, replayed by a catch-up
                seq = int(found[2])
                if seq in reader.seen:
                    self.duplicates += 1
                    continue
                reader.seen.add(seq)
                self.latencies.append(now - int(found[3]))
                self.received += 1
                self.last_ns = max(self.last_ns, now)
                if len(reader.seen) == self.expected:
                    self.waiting -= 1
                    if self.waiting == 0:
                        self.complete.set()

    async def start_round(self, *, number: int, expected: int) -> int:
        self.round, self.expected = number, expected
        self.latencies = array.array("q")
        self.received = self.duplicates = self.last_ns = 0
        for reader in self.readers:
            reader.seen = set()
        self.waiting = len(self.readers)
        self.complete = asyncio.Event()
        if not self.readers or expected == 0:
            self.complete.set()
        return len(self.readers)

    async def collect(self, *, timeout: float) -> dict:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.complete.wait(), timeout)
        alive = sum(1 for r in self.readers if not r.task.done())
        return {
            "latencies": self.latencies.tobytes(),
            "received": self.received,
            "duplicates": self.duplicates,
            "last_ns": self.last_ns,
            "readers": len(self.readers),
            "alive": alive,
        }

    async def alive(self) -> int:
        """Readers whose socket is still open (a closed one ends its reading task)."""
        return sum(1 for reader in self.readers if not reader.task.done())

    async def close(self) -> int:
        gate = asyncio.Semaphore(CLOSE_CONCURRENCY)

        async def one(socket):
            async with gate:
                with contextlib.suppress(Exception):
                    await socket.close()

        for follower in self.followers:
            follower.task.cancel()  # its `finally` closes its socket
        await asyncio.gather(*(f.task for f in self.followers), return_exceptions=True)
        sockets = [r.socket for r in self.readers] + self.writers
        await asyncio.gather(*map(one, sockets))
        for reader in self.readers:
            reader.task.cancel()
        closed = len(sockets) + len(self.followers)
        self.readers, self.writers, self.replies, self.followers = [], [], {}, []
        return closed

    # --- followers: reconnect and catch up, as the topic page does -------------------------

    async def follow(self, *, url, origin, sessions, topic, after, ping_interval=20.0) -> dict:
        """Open and subscribe one follower per session (a ramp); each then follows on its own."""
        # Drops and refused reconnections are what is measured, and counted: not tracebacks.
        logging.getLogger("websockets").setLevel(logging.CRITICAL)
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        loop = asyncio.get_running_loop()
        followers = [Follower(session, after) for session in sessions]
        ready = [loop.create_future() for _ in followers]
        for follower, subscribed in zip(followers, ready, strict=True):
            follower.task = asyncio.create_task(
                self._follow(follower, url, origin, topic, ping_interval, gate, subscribed)
            )
        opened = await asyncio.gather(*ready)
        self.followers += [f for f, ok in zip(followers, opened, strict=True) if ok]
        return {"subscribed": sum(opened), "failed": ["open"] * opened.count(False)}

    async def _follow(self, follower, url, origin, topic, ping_interval, gate, subscribed):
        # The page's backoff: 1 s, doubling to 30 s, back to 1 s once subscribed. A dropped
        # follower waits for the bench's word that the server accepts again (`server_back`):
        # every page would be retrying, and all reconnect at once, without thousands of
        # refused attempts from here meanwhile.
        delay = 1.0
        while True:
            await self.server_up.wait()
            socket, joined = None, False
            try:
                async with gate or contextlib.nullcontext():
                    socket = await _open(url, follower.session, origin, ping_interval)
                    await self._subscribe(socket, topic, follower.last)
                    async for raw in socket:
                        if raw.startswith(POST_EVENT):
                            self._arrived(follower, int(EVENT_ID.search(raw)[1]))
                        elif raw.startswith('{"type": "subscribed"'):
                            break
                        elif raw.startswith('{"type": "error"'):
                            raise RuntimeError(raw)
                    else:
                        raise ConnectionError("closed before subscribed")
                follower.back_ns, delay, joined = time.monotonic_ns(), 1.0, True
                if not subscribed.done():
                    subscribed.set_result(True)
                gate = None  # the first connection is a ramp; reconnections are a stampede
                if '"complete": false' in raw:  # more was missed than one replay holds
                    await self._subscribe(socket, topic, follower.last)
                async for raw in socket:
                    if raw.startswith(POST_EVENT):
                        self._arrived(follower, int(EVENT_ID.search(raw)[1]))
                    elif '"complete": false' in raw:
                        await self._subscribe(socket, topic, follower.last)
            except asyncio.CancelledError:
                raise
            except Exception:
                if not subscribed.done():
                    subscribed.set_result(False)  # failed to open: not followed
                    return
                follower.attempts += not joined  # a reconnection that failed
            finally:
                if socket is not None:
                    with contextlib.suppress(Exception):
                        await socket.close()
            if self.server_up.is_set():
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    @staticmethod
    async def _subscribe(socket, topic: int, after: int) -> None:
        await socket.send(json.dumps({"type": "subscribe", "topic": topic, "after": after}))

    @staticmethod
    def _arrived(follower: Follower, event: int) -> None:
        if event in follower.arrivals:
            follower.doubled += 1
            return
        follower.arrivals[event] = time.monotonic_ns()
        follower.last = max(follower.last, event)

    async def server_down(self) -> int:
        """The server is about to go: dropped followers wait for `server_back`."""
        self.server_up.clear()
        for follower in self.followers:
            follower.back_ns = 0
        return len(self.followers)

    async def server_back(self) -> int:
        self.server_up.set()
        return len(self.followers)

    async def caught_up(self, *, through: int, timeout: float) -> int:
        """Wait until every follower is back and holds every event up to `through`."""
        deadline = time.monotonic() + timeout

        def holding() -> int:
            return sum(1 for f in self.followers if f.back_ns and f.last >= through)

        while holding() < len(self.followers) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return holding()

    async def followed(self, *, since: int, through: int, final: int) -> dict:
        """Per follower: when it was back and when it held every event in (since, through];
        all told, the events of (since, final] missing on sockets that are back, and those
        sent twice."""
        back, caught, lost = [], [], 0
        for follower in self.followers:
            arrivals = follower.arrivals
            back.append(follower.back_ns or None)
            needed = [arrivals.get(event) for event in range(since + 1, through + 1)]
            caught.append(
                None
                if None in needed or not follower.back_ns
                else max([follower.back_ns, *needed])
            )
            if follower.back_ns:  # one not back yet is counted as such, not as losing events
                lost += sum(1 for event in range(since + 1, final + 1) if event not in arrivals)
        return {
            "back_ns": back,
            "caught_ns": caught,
            "lost": lost,
            "doubled": sum(f.doubled for f in self.followers),
            "attempts": sum(f.attempts for f in self.followers),
        }

    # --- writers ----------------------------------------------------------------------------

    async def connect_writers(self, *, url, origin, sessions) -> int:
        for session in sessions:
            socket = await self._open_writer(url, session, origin)
            self.writers.append(socket)
            self.replies[id(socket)] = deque()
            self.listeners.append(asyncio.create_task(self._replies(socket)))
        return len(self.writers)

    @staticmethod
    async def _open_writer(url, session, origin, attempts: int = 5):
        # A server busy accepting a thousand readers may drop a handshake; a page would retry.
        for attempt in range(attempts):
            try:
                return await _open(url, session, origin, 20.0)
            except Exception:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(2**attempt)

    async def _replies(self, socket) -> None:
        # The server answers each post in order on its socket: posted, or an error.
        with contextlib.suppress(Exception):
            async for raw in socket:
                waiting = self.replies[id(socket)]
                if waiting and ('"posted"' in raw or '"error"' in raw):
                    waiting.popleft().set_result('"posted"' in raw)

    async def _post(self, socket, *, topic, number, seq) -> bool:
        reply = asyncio.get_running_loop().create_future()
        self.replies[id(socket)].append(reply)
        body = f"bench r{number} s{seq} t{time.monotonic_ns()}"
        await socket.send(json.dumps({"type": "post", "topic": topic, "body": body, "ref": seq}))
        return await reply

    async def publish(self, *, topic, number, count, rate=None) -> dict:
        """`count` posts at `rate` per second (open loop), or as fast as acknowledged."""
        started = time.monotonic_ns()
        if rate:
            tasks = []
            for seq in range(count):
                delay = started + seq * 1e9 / rate - time.monotonic_ns()
                if delay > 0:
                    await asyncio.sleep(delay / 1e9)
                socket = self.writers[seq % len(self.writers)]
                tasks.append(
                    asyncio.create_task(self._post(socket, topic=topic, number=number, seq=seq))
                )
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        else:
            sequence = iter(range(count))
            outcomes = []

            async def closed_loop(socket):
                for seq in sequence:
                    outcomes.append(await self._post(socket, topic=topic, number=number, seq=seq))

            await asyncio.gather(*map(closed_loop, self.writers), return_exceptions=True)
        return {
            "acked": sum(1 for outcome in outcomes if outcome is True),
            "refused": sum(1 for outcome in outcomes if outcome is not True),
            "first_ns": started,
            "last_ns": time.monotonic_ns(),
        }


async def _serve(pipe) -> None:
    loop = asyncio.get_running_loop()
    clients = Clients()
    while True:
        command, arguments = await loop.run_in_executor(None, pipe.recv)
        if command == "exit":
            pipe.send(None)
            return
        try:
            pipe.send(await getattr(clients, command)(**arguments))
        except Exception as error:  # the bench decides what a failed command means
            pipe.send({"error": f"{type(error).__name__}: {error}"})


def _main(pipe) -> None:
    asyncio.run(_serve(pipe))


class Pool:
    """Client processes driven together: each command goes to all, answers come back as a list."""

    def __init__(self, processes: int):
        context = multiprocessing.get_context("spawn")
        self.pipes, self.processes = [], []
        for _ in range(processes):
            ours, theirs = context.Pipe()
            process = context.Process(target=_main, args=(theirs,), daemon=True)
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    def each(self, command: str, arguments: list[dict]) -> list:
        for pipe, args in zip(self.pipes, arguments, strict=True):
            pipe.send((command, args))
        answers = [pipe.recv() for pipe in self.pipes]
        failed = [a["error"] for a in answers if isinstance(a, dict) and "error" in a]
        if failed:
            raise RuntimeError(f"{command} failed in a client process: {failed[0]}")
        return answers

    def all(self, command: str, **arguments) -> list:
        return self.each(command, [arguments] * len(self.pipes))

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(Exception):
                pipe.send(("exit", {}))
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts)]


def latencies_ms(answers: list[dict]) -> list[float]:
    values = array.array("q")
    for answer in answers:
        values.frombytes(answer["latencies"])
    return [v / 1e6 for v in values]
