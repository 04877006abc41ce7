"""Clients for fault and load tests: the forum page's live protocol, and a steady poster.

`LiveClient` does what static/pioneros/forum.js does (docs/realtime.md): subscribe with the
last event id, reconnect by itself with backoff (to the next server, as a load balancer
would send it), subscribe again now and then, and fill a gap over HTTP. It keeps what the
server sent so a test can count what was lost, doubled or out of order.
"""

import asyncio
import contextlib
import json
import math
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import websockets

CSRF = secrets.token_hex(16)  # any 32 characters, sent as cookie and header alike


def http(
    base: str,
    path: str,
    *,
    session: str,
    body: dict | None = None,
    form: dict | None = None,
    timeout: float = 30,
) -> tuple[int, bytes]:
    """One request with the member's session (JSON `body` or a page's `form`).

    Returns (status, body) after redirects, status 0 if the server did not answer.
    """
    if form is not None:
        data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": CSRF}).encode()
        kind = "application/x-www-form-urlencoded"
    else:
        data = None if body is None else json.dumps(body).encode()
        kind = "application/json"
    request = urllib.request.Request(
        base + path,
        data=data,
        method="GET" if data is None else "POST",
        headers={
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": kind,
            "Accept": "application/json, text/html",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


@dataclass
class LiveClient:
    servers: list[str]  # http://127.0.0.1:<port> of each server, tried in turn
    session: str
    topic: int
    last: int  # highest event id shown, as the page's data-last-event
    max_delay: float = 30.0  # the page's backoff: 1 s doubling to 30 s
    resubscribe_every: float = 60.0
    heartbeat_every: float = 20.0
    applied: list[int] = field(default_factory=list)  # event ids, in the order shown
    duplicates: int = 0  # events the server sent that this client already had
    gaps_filled: int = 0
    connects: int = 0
    connected_at: list[float] = field(default_factory=list)  # time.monotonic() of each connect
    closes: list[int | str] = field(default_factory=list)  # close codes, or what failed
    errors: list[dict] = field(default_factory=list)
    pings: int = 0
    pongs: int = 0
    unavailable: int = 0  # times the server said live delivery is down (Redis away)
    server: int = 0

    async def run(self, stop: asyncio.Event) -> None:
        delay = 1.0
        while not stop.is_set():
            base = self.servers[self.server]
            try:
                async with websockets.connect(
                    base.replace("http", "ws", 1) + "/ws/forums/",
                    origin=base,
                    additional_headers={"Cookie": f"sessionid={self.session}"},
                    open_timeout=20,
                    ping_interval=None,  # the page sends its own heartbeat
                    max_queue=None,
                ) as socket:
                    self.connects += 1
                    self.connected_at.append(time.monotonic())
                    delay = 1.0
                    await self._session(socket, stop)
                    if stop.is_set():
                        return
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as error:
                if stop.is_set():
                    return  # a goodbye that went wrong at the end is no fault of the server
                code = getattr(getattr(error, "rcvd", None), "code", None)
                self.closes.append(code or type(error).__name__)
                if code == 4401:
                    return  # signed out: the page does not retry
            # The next attempt may go elsewhere, as behind a load balancer.
            self.server = (self.server + 1) % len(self.servers)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, self.max_delay)

    async def _session(self, socket, stop: asyncio.Event) -> None:
        await self._subscribe(socket)
        timers = [
            asyncio.create_task(self._every(self.resubscribe_every, self._subscribe, socket)),
            asyncio.create_task(self._every(self.heartbeat_every, self._ping, socket)),
        ]
        stopped = asyncio.create_task(stop.wait())
        try:
            while True:
                receiving = asyncio.create_task(socket.recv())
                done, _ = await asyncio.wait(
                    {receiving, stopped}, return_when=asyncio.FIRST_COMPLETED
                )
                if receiving not in done:
                    receiving.cancel()
                    return
                await self._handle(json.loads(receiving.result()))
        finally:
            stopped.cancel()
            for timer in timers:
                timer.cancel()

    async def _every(self, seconds: float, action, socket) -> None:
        while True:
            await asyncio.sleep(seconds)
            await action(socket)

    async def _subscribe(self, socket) -> None:
        await self._send(socket, {"type": "subscribe", "topic": self.topic, "after": self.last})

    async def _ping(self, socket) -> None:
        self.pings += 1
        await self._send(socket, {"type": "ping"})

    async def _send(self, socket, message: dict) -> None:
        # If closed, the receive loop reads what the server said before closing, then ends.
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            await socket.send(json.dumps(message))

    async def _handle(self, event: dict) -> None:
        kind = event.get("type")
        if kind == "pong":
            self.pongs += 1
        elif kind == "error":
            self.errors.append(event)
        elif kind == "unavailable":
            self.unavailable += 1
        elif kind == "subscribed" and event.get("complete") is False:
            raise RuntimeError("catch-up incomplete; the test posts fewer than 500 events")
        elif event.get("topic") == self.topic and "id" in event:
            await self._on_topic_event(event)

    async def _on_topic_event(self, event: dict) -> None:
        if event["id"] <= self.last:
            self.duplicates += 1  # the page would drop it; the server promised not to send it
            return
        if event["id"] > self.last + 1:
            # Something before it has not arrived: read it from the server, as the page does.
            self.gaps_filled += 1
            await self._fill_gap()
        if event["id"] == self.last + 1:
            self._apply(event)

    async def _fill_gap(self) -> None:
        path = f"/api/topics/{self.topic}/events/?after={self.last}"
        for base in self.servers[self.server :] + self.servers[: self.server]:
            status, body = await asyncio.to_thread(http, base, path, session=self.session)
            if status == 200:
                for event in json.loads(body)["events"]:
                    if event["id"] == self.last + 1:
                        self._apply(event)
                return

    def _apply(self, event: dict) -> None:
        self.last = event["id"]
        self.applied.append(event["id"])


@dataclass
class Poster:
    """Posts replies through the JSON API at a steady rate, to whichever server answers.

    Open loop, as real members are: the next post goes out on time even if the server is
    still busy with the last one.
    """

    servers: list[str]
    session: str
    topic: int
    made: list[int] = field(default_factory=list)  # post ids the API confirmed
    failures: list[int] = field(default_factory=list)  # statuses of refused or lost requests
    server: int = 0

    async def run(self, count: int, every: float, until: float = math.inf) -> None:
        """Post `count` replies, one every `every` seconds, none after monotonic `until`."""
        began = time.monotonic()
        sending = []
        for number in range(count):
            at = began + number * every
            if at >= until:
                break
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            sending.append(asyncio.create_task(self._post(number)))
        await asyncio.gather(*sending)

    async def _post(self, number: int) -> None:
        server = self.server
        status, body = await asyncio.to_thread(
            http,
            self.servers[server],
            f"/api/topics/{self.topic}/posts/",
            session=self.session,
            body={"body": f"post {number}"},
        )
        if status == 201:
            self.made.append(json.loads(body)["post"]["id"])
        else:
            self.failures.append(status)
            self.server = (server + 1) % len(self.servers)


def topic_event_ids(base: str, session: str, topic: int, after: int) -> list[int]:
    """Every event id of the topic after `after`, as the database holds them."""
    ids: list[int] = []
    while True:
        status, body = http(base, f"/api/topics/{topic}/events/?after={after}", session=session)
        assert status == 200, (status, body[:500])
        data = json.loads(body)
        ids += [event["id"] for event in data["events"]]
        if data["complete"]:
            return ids
        after = ids[-1]


def tally(clients: list[LiveClient], expected: list[int]) -> tuple[int, int, int]:
    """(lost, duplicated, out of order) over every client, against the database's events."""
    lost = duplicated = disordered = 0
    for client in clients:
        lost += len(set(expected) - set(client.applied))
        duplicated += client.duplicates + len(client.applied) - len(set(client.applied))
        disordered += sum(
            1 for a, b in zip(client.applied, client.applied[1:], strict=False) if b <= a
        )
    return lost, duplicated, disordered


async def until(condition, timeout: float, what: str) -> None:
    """Wait for `condition()` without blocking the loop; fail with `what` after `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.1)
