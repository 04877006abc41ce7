"""What the socket benchmarks share: the watched topic, client processes, timed rounds."""

import itertools
import json
import math
from dataclasses import dataclass, field

from bench import stack
from bench.harness import Pool, latencies_ms, split
from bench.results import percentile

_rounds = itertools.count(1)


@dataclass
class World:
    """A topic, signed-in readers and writers, and how many events the topic has had."""

    topic: int
    readers: list[str]
    writers: list[str]
    last_event: int = 1  # start_topic's first post

    @classmethod
    def build(cls, env: dict, *, members: int, writers: int = 4) -> "World":
        made = stack.run_module(
            "bench.world", f"--members={members}", f"--writers={writers}", env=env
        )
        data = json.loads(made)
        return cls(topic=data["topic"], readers=data["readers"], writers=data["writers"])


def client_processes(clients: int) -> int:
    # Two cores: a few processes share the parsing without drowning the server in switches.
    return 1 if clients <= 200 else 2 if clients <= 1000 else 4


@dataclass
class Round:
    posts: int
    acked: int
    refused: int
    clients: int
    received: int
    duplicates: int
    latencies: list[float] = field(repr=False)
    seconds: float  # first post sent to last delivery

    @property
    def lost(self) -> int:
        return self.acked * self.clients - self.received

    @property
    def delivered_per_second(self) -> float | None:
        return self.received / self.seconds if self.seconds > 0 else None

    def latency(self, q: float) -> float | None:
        return percentile(self.latencies, q)


class Session:
    """Readers and writers connected to one server, able to run timed rounds of posts."""

    def __init__(self, world: World, port: int, readers: int, *, ping_interval=20.0, saves=True):
        self.world = world
        # Posts to the bare server are not saved: they must not move the topic's last event.
        self.saves = saves
        self.url = f"ws://127.0.0.1:{port}/ws/forums/"
        self.origin = f"http://127.0.0.1:{port}"
        self.ping_interval = ping_interval
        self.pool = Pool(client_processes(readers))
        self.writer = Pool(1)
        self.connected = 0
        self.failures: list[str] = []

    def _readers(self, readers: list[str]) -> list[dict]:
        """What each client process needs to open its share of `readers` on the topic."""
        return [
            {
                "url": self.url,
                "origin": self.origin,
                "sessions": part,
                "topic": self.world.topic,
                "after": self.world.last_event,
                "ping_interval": self.ping_interval,
            }
            for part in split(readers, len(self.pool.pipes))
        ]

    def connect(self, readers: list[str]) -> dict:
        answers = self.pool.each("connect", self._readers(readers))
        self.connected += sum(a["subscribed"] for a in answers)
        for answer in answers:
            self.failures += answer["failed"]
        return {
            "subscribed": sum(a["subscribed"] for a in answers),
            "open_seconds": max(a["open_seconds"] for a in answers),
            "subscribe_seconds": max(a["subscribe_seconds"] for a in answers),
        }

    def follow(self, readers: list[str]) -> int:
        """Readers that follow the topic as its page does: after a drop they reconnect and
        catch up by their last id (harness.Clients.follow); how many subscribed."""
        answers = self.pool.each("follow", self._readers(readers))
        subscribed = sum(a["subscribed"] for a in answers)
        self.connected += subscribed
        for answer in answers:
            self.failures += answer["failed"]
        return subscribed

    def server_down(self) -> None:
        """Followers dropped from now on wait for `server_back` to reconnect, all at once."""
        self.pool.all("server_down")

    def server_back(self) -> None:
        self.pool.all("server_back")

    def caught_up(self, through: int, timeout: float) -> int:
        """Wait until every follower holds every event up to `through`; how many do."""
        return sum(self.pool.all("caught_up", through=through, timeout=timeout))

    def followed(self, *, since: int, through: int, final: int) -> dict:
        """Followers' back and caught-up times (monotonic ns, None if not), lost and doubled."""
        answers = self.pool.all("followed", since=since, through=through, final=final)
        return {
            "back_ns": [t for a in answers for t in a["back_ns"]],
            "caught_ns": [t for a in answers for t in a["caught_ns"]],
            **{key: sum(a[key] for a in answers) for key in ("lost", "doubled", "attempts")},
        }

    def connect_writers(self) -> None:
        self.writer.all(
            "connect_writers", url=self.url, origin=self.origin, sessions=self.world.writers
        )

    def round(self, posts: int, rate: float | None) -> Round:
        number = next(_rounds)
        self.pool.all("start_round", number=number, expected=posts)
        (published,) = self.writer.all(
            "publish", topic=self.world.topic, number=number, count=posts, rate=rate
        )
        if self.saves:
            self.world.last_event += published["acked"]
        # Deliveries queued behind a slow server still count if they come within the timeout.
        timeout = 30 + math.ceil(posts * max(self.connected, 1) / 500)
        answers = self.pool.all("collect", timeout=min(timeout, 600))
        last = max((a["last_ns"] for a in answers), default=0)
        return Round(
            posts=posts,
            acked=published["acked"],
            refused=published["refused"],
            clients=sum(a["readers"] for a in answers),
            received=sum(a["received"] for a in answers),
            duplicates=sum(a["duplicates"] for a in answers),
            latencies=latencies_ms(answers),
            seconds=max(last - published["first_ns"], 0) / 1e9,
        )

    def alive(self) -> int:
        return sum(self.pool.all("alive"))

    def close(self) -> None:
        try:
            self.pool.all("close")
            self.writer.all("close")
        finally:
            self.pool.close()
            self.writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
