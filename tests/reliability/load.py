"""The load harness: many live clients with heartbeats, a steady poster and HTTP browsing.

A small asyncio harness rather than Locust: the figures that matter here are the live
protocol's (every post reaches every socket, once, in order), which Locust does not speak;
page timings come from a few browsing workers on loopback. Used by the short test in
`make test` and by `make soak` (tests/reliability/soak.py).
"""

import asyncio
import contextlib
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tests.reliability import clients

RAMP = 0.02  # seconds between two clients' first connections, and at most
ARRIVING = 10  # this many handshakes under way at once
# Database connections as shipped: the process's pool (DATABASE_POOL_SIZE), each request's
# connection handed back at its end. Kept by each request instead (DATABASE_CONN_MAX_AGE), a
# connection outlives its request under ASGI until garbage collection (Django ticket #33497):
# 85 to 93 were open at once in the short run, near PostgreSQL's default 100, and a run failed
# with "too many clients already" while another ran beside it.
SERVER_ENV = {"DATABASE_CONN_MAX_AGE": "0"}

# What a browsing member opens, in turn: pages, a search and the JSON API.
PAGES = (
    "/",
    "/clusters/{cluster}/forum/",
    "/topics/{topic}/",
    "/search/?q=post",
    "/api/topics/{topic}/posts/",
)


@dataclass
class LoadResult:
    clients: int
    seconds: float
    posts: int = 0
    pages: int = 0
    page_times: list[float] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    socket_errors: list[str] = field(default_factory=list)
    lost: int = 0
    duplicated: int = 0
    pings: int = 0
    pongs: int = 0
    memory_start_kib: int = 0
    memory_end_kib: int = 0

    @property
    def errors(self) -> int:
        return len(self.http_errors) + len(self.socket_errors) + self.lost + self.duplicated

    @property
    def p99_ms(self) -> float:
        if not self.page_times:
            return math.nan
        ordered = sorted(self.page_times)
        return 1000 * ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]

    @property
    def growth_mib(self) -> float:
        return (self.memory_end_kib - self.memory_start_kib) / 1024

    def summary(self) -> str:
        return (
            f"load: {self.clients} clients for {self.seconds:.0f} s, {self.posts} posts, "
            f"{self.pages} pages: errors {self.errors} (http {len(self.http_errors)}, "
            f"socket {len(self.socket_errors)}, lost {self.lost}, duplicated "
            f"{self.duplicated}), heartbeats {self.pongs}/{self.pings}, p99 page "
            f"{self.p99_ms:.0f} ms, server memory {self.memory_start_kib / 1024:.0f} MiB -> "
            f"{self.memory_end_kib / 1024:.0f} MiB ({self.growth_mib:+.1f} MiB)"
        )


async def run(
    *,
    servers: list,  # servers.Server processes; clients are spread over them
    data: dict,  # what servers.seed made
    clients_count: int,
    seconds: float,
    post_every: float,
    browsers: int,
    heartbeat_every: float,
    connect_timeout: float = 120,
) -> LoadResult:
    result = LoadResult(clients=clients_count, seconds=seconds)
    # Posts, pages and gap fills each wait on a thread; the default pool (CPUs + 4) would
    # queue them behind each other and time the harness instead of the server.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=64))
    bases = [server.base for server in servers]
    sessions = data["readers"]
    readers = [
        clients.LiveClient(
            bases[i % len(bases) :] + bases[: i % len(bases)],
            sessions[i % len(sessions)],
            data["topic"],
            data["first_event"],
            heartbeat_every=heartbeat_every,
        )
        for i in range(clients_count)
    ]
    stop = asyncio.Event()
    running = []
    for number, reader in enumerate(readers):
        running.append(asyncio.create_task(reader.run(stop)))
        # Members arrive a few at a time, not in one instant: this is a test of holding
        # sockets, not of a storm (bench/storm.py measures that).
        if number >= ARRIVING:
            await clients.until(lambda n=number: readers[n - ARRIVING].connects, 60, "arrival")
        await asyncio.sleep(RAMP)
    await clients.until(lambda: all(r.connects for r in readers), connect_timeout, "every client")

    # Memory once every socket is open and each page was served once: growth from here on
    # is what holding the load costs.
    for page in PAGES:
        await asyncio.to_thread(_browse_once, bases[0], page, data, result)
    result.page_times.clear()
    result.memory_start_kib = sum(server.rss_kib for server in servers)

    began = time.monotonic()
    poster = clients.Poster(bases, data["writer"], data["topic"])
    # A steady rate for `seconds`; a slow server means fewer posts, not a longer run.
    posting = asyncio.create_task(
        poster.run(max(1, int(seconds / post_every)), post_every, until=began + seconds)
    )
    browsing = [
        asyncio.create_task(_browse(bases[i % len(bases)], data, result, began + seconds, i))
        for i in range(browsers)
    ]
    await posting
    await asyncio.gather(*browsing)
    result.posts = len(poster.made)
    result.http_errors += [f"post answered {status}" for status in poster.failures]

    expected = await asyncio.to_thread(
        clients.topic_event_ids, bases[0], data["writer"], data["topic"], data["first_event"]
    )
    with contextlib.suppress(AssertionError):  # what never arrives is counted as lost below
        await clients.until(lambda: all(r.last >= expected[-1] for r in readers), 120, "catch-up")
    result.memory_end_kib = sum(server.rss_kib for server in servers)
    result.seconds = time.monotonic() - began
    stop.set()
    await asyncio.gather(*running)

    result.lost, result.duplicated, disordered = clients.tally(readers, expected)
    result.socket_errors += [f"{disordered} events out of order"] if disordered else []
    for reader in readers:
        # One connection each, held throughout: any reconnect under load is an error.
        if reader.connects != 1 or reader.closes:
            result.socket_errors.append(f"reconnected ({reader.connects}, {reader.closes})")
        result.socket_errors += [f"error event {e.get('code')}" for e in reader.errors]
        result.pings += reader.pings
        result.pongs += reader.pongs
    # A ping sent just before the end may still be on its way; more missing is an error.
    if result.pings - result.pongs > clients_count:
        result.socket_errors.append(f"heartbeats unanswered: {result.pings - result.pongs}")
    return result


async def _browse(base: str, data: dict, result: LoadResult, until: float, worker: int):
    turn = worker
    while time.monotonic() < until:
        await asyncio.to_thread(_browse_once, base, PAGES[turn % len(PAGES)], data, result)
        turn += 1


def _browse_once(base: str, page: str, data: dict, result: LoadResult) -> None:
    path = page.format(cluster=data["cluster"], topic=data["topic"])
    session = data["readers"][result.pages % len(data["readers"])]
    started = time.monotonic()
    status, _ = clients.http(base, path, session=session)
    result.page_times.append(time.monotonic() - started)
    result.pages += 1
    if status != 200:
        result.http_errors.append(f"{path} answered {status}")
