"""3. Connections held: idle signed-in sockets ramped up on one server process, then released.

Each socket subscribes to the topic, as an open topic page does, and the client pings every
5 seconds. Memory is the server's resident set above its warmed-up baseline; after the
clients leave, the server's sockets, its Redis connections and the group must be back.
"""

import statistics
import time

import redis

from bench import stack
from bench.results import Result, row
from bench.sockets import Session, World

HOLD = 7  # seconds idle: longer than channels-redis' 5 s wait on an empty channel
PING = 5.0
HANDSHAKES = 0.5  # the target: at least half the bare server's handshake rate
# Ramps of the two servers in turns, for the judged handshake rate: the machine's own speed
# drifts by a fifth within a run (bench.stack.pace), and one ramp each, minutes apart, put
# the row on either side of its target by the run.
HANDSHAKE_TURNS = 3


GROUP_DRAIN = 30  # seconds the server has to drop the last closed sockets from the group


def _group_size(url: str, env: dict, topic: int) -> int:
    """Members the topic's group still has in Redis, whichever layer the server runs: the
    core layer keeps a sorted set, the pub/sub layer a subscription per process."""
    client, prefix, group = redis.Redis.from_url(url), env["CHANNELS_PREFIX"], f"topic.{topic}"
    channel = f"{prefix}__group__{group}"
    return client.zcard(f"{prefix}:group:{group}") + dict(client.pubsub_numsub(channel)).get(
        channel.encode(), 0
    )


def _warm(kind: str, world: World, port: int) -> None:
    time.sleep(1)
    if kind != "bare":
        # The layer and the live guard connect on the first socket and stay connected:
        # the baseline is a server that has served one socket, not a cold one.
        warm = Session(world, port, 1, ping_interval=PING)
        try:
            warm.connect(world.readers[:1])
        finally:
            warm.close()
        time.sleep(2)


def handshakes(kind: str, env: dict, world: World, clients: int) -> float:
    """Handshakes a second of one ramp of `clients` sockets into a warmed server."""
    with stack.server(kind, env) as (port, _pid):
        _warm(kind, world, port)
        session = Session(world, port, clients, ping_interval=PING)
        try:
            ramp = session.connect(world.readers[:clients])
        finally:
            session.close()
        return ramp["subscribed"] / ramp["open_seconds"]


def hold(kind: str, env: dict, world: World, clients: int, redis_url: str, cycles=1) -> dict:
    """Ramp up, hold idle, leave; again `cycles` times. Connection counts after each cycle."""
    redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    with stack.server(kind, env) as (port, pid):
        figures = {"clients_left": [], "redis_left": [], "failed": 0}
        _warm(kind, world, port)
        rss = stack.rss_bytes(pid)  # one-time costs (imports, the layer) are not per socket
        base_redis = stack.tcp_connections(pid, remote_port=redis_port)
        for cycle in range(cycles):
            session = Session(world, port, clients, ping_interval=PING)
            try:
                ramp = session.connect(world.readers[:clients])
                time.sleep(HOLD)
                if cycle == 0:
                    figures["opened"] = ramp["subscribed"]
                    figures["handshakes"] = ramp["subscribed"] / ramp["open_seconds"]
                    figures["rss_per_socket"] = (stack.rss_bytes(pid) - rss) / max(
                        ramp["subscribed"], 1
                    )
                    figures["alive"] = session.alive()
            finally:
                session.close()
            figures["failed"] += len(session.failures)
            time.sleep(2)  # the server notices the closes
            figures["clients_left"].append(stack.tcp_connections(pid, local_port=port))
            figures["redis_left"].append(
                stack.tcp_connections(pid, remote_port=redis_port) - base_redis
            )
        if kind != "bare":
            # Thousands of closes are still being handled for a while: what stays is a leak.
            deadline = time.monotonic() + GROUP_DRAIN
            while (left := _group_size(redis_url, env, world.topic)) and (
                time.monotonic() < deadline
            ):
                time.sleep(0.5)
            figures["group_left"] = left
        return figures


def run(quick: bool, notes: list[str]) -> list[Result]:
    (clients,) = stack.capped([100 if quick else 5000], notes, "connections") or [
        stack.MAX_SOCKETS[0]
    ]
    scale = f"{clients} idle sockets, 1 process"
    results = []
    with stack.redis_server() as redis_url, stack.database("connections") as db:
        tuned = stack.django_env(db, redis_url, BENCH_TUNED_POOL="true")
        world = World.build(tuned, members=clients)
        ours = hold(stack.PRODUCTION, tuned, world, clients, redis_url, cycles=2)
        bare = hold("bare", tuned, world, clients, redis_url)
        # The same app on the other servers (how much of the memory per socket is the
        # server's own): compared, never judged, so the full run only.
        others = {
            kind: hold(kind, tuned, world, clients, redis_url)
            for kind in ([] if quick else sorted(stack.LABELS.keys() - {stack.PRODUCTION}))
        }
        shipped = hold(
            stack.PRODUCTION, stack.django_env(db, redis_url), world, clients, redis_url
        )
        # Each turn ramps both servers, one after the other, in alternating order so that a
        # machine speeding up or slowing down within a turn favours neither.
        turns = []
        for turn in range(0 if quick else HANDSHAKE_TURNS):
            order = ("bare", stack.PRODUCTION) if turn % 2 else (stack.PRODUCTION, "bare")
            rates = {kind: handshakes(kind, tuned, world, clients) for kind in order}
            turns.append((rates[stack.PRODUCTION], rates["bare"]))

    kib = 1024
    ours_label = stack.LABELS[stack.PRODUCTION]
    if turns:
        notes.append(
            f"connections: handshakes a second in turns, {ours_label} against bare: "
            + "; ".join(f"{ours:,.0f} against {bare:,.0f}" for ours, bare in turns)
        )
        ours_rate = statistics.median(ours for ours, _ in turns)
        bare_rate = statistics.median(bare for _, bare in turns)
    else:
        ours_rate, bare_rate = ours["handshakes"], bare["handshakes"]
    per_socket = ours["rss_per_socket"] / kib
    bare_per_socket = bare["rss_per_socket"] / kib
    results += [
        row(
            "connections",
            scale,
            f"KiB resident per socket, {ours_label} (ref: bare)",
            per_socket,
            bare_per_socket,
            # At the quick run's hundred sockets the process's own baseline dominates.
            target="<= 2x bare" if not quick else "",
            passed=per_socket <= 2 * bare_per_socket if not quick else None,
        ),
        row(
            "connections",
            scale,
            f"handshakes/s, {ours_label}" + (f", median of {len(turns)} turns" if turns else ""),
            ours_rate,
            bare_rate,
            # Judged where it means something: a hundred sockets open in a blink.
            target=f">= {HANDSHAKES}x bare" if not quick else "",
            passed=ours_rate >= HANDSHAKES * bare_rate if not quick else None,
        ),
        row(
            "connections",
            scale,
            f"sockets open after {HOLD} s idle, {ours_label}",
            ours["alive"],
            bare["alive"],
            target=f"{clients}",
            passed=ours["alive"] == clients,
        ),
        row(
            "connections",
            scale,
            f"client sockets left after clients left, {ours_label}",
            ours["clients_left"][0],
            bare["clients_left"][0],
            target="0",
            passed=ours["clients_left"][0] == 0,
        ),
        row(
            "connections",
            scale,
            f"Redis connections above baseline after clients left, {ours_label}",
            ours["redis_left"][0],
            target="0",
            passed=ours["redis_left"][0] <= 0,
        ),
        # A pool keeps the connections it opened; a leak is what grows cycle after cycle.
        row(
            "connections",
            scale,
            f"Redis connections above baseline after cycle 2 (ref: cycle 1), {ours_label}",
            ours["redis_left"][-1],
            ours["redis_left"][0],
            target="<= cycle 1",
            passed=ours["redis_left"][-1] <= ours["redis_left"][0],
        ),
        row(
            "connections",
            scale,
            f"group members left {GROUP_DRAIN} s after clients left, {ours_label}",
            ours["group_left"],
            target="0",
            passed=ours["group_left"] == 0,
        ),
        row(
            "connections",
            scale + ", shipped Redis pool",
            f"sockets open after {HOLD} s idle, {ours_label} as shipped",
            shipped["alive"],
            ours["alive"],
            target=f"{clients}",
            passed=shipped["alive"] == clients,
        ),
    ]
    for kind, figures in others.items():
        results += [
            row(
                "connections",
                scale,
                f"KiB resident per socket, {stack.LABELS[kind]} (ref: bare)",
                figures["rss_per_socket"] / kib,
                bare_per_socket,
                server=f"{kind} (ref: bare)",
            ),
            row(
                "connections",
                scale,
                f"handshakes/s, {stack.LABELS[kind]}",
                figures["handshakes"],
                bare["handshakes"],
                server=f"{kind} (ref: bare)",
            ),
        ]
    for label, figures in (
        (ours_label, ours),
        ("bare", bare),
        *((stack.LABELS[kind], figures) for kind, figures in others.items()),
    ):
        if figures and figures["failed"]:
            notes.append(f"connections {label}: {figures['failed']} sockets failed to open")
    if shipped["alive"] < clients:
        notes.append(
            f"connections as shipped: {clients - shipped['alive']} of {clients} sockets dropped "
            f"({shipped['failed']} failed to open); with the tuned pool: "
            f"{clients - ours['alive']} (see bench/settings.py)"
        )
    for result in results:
        if result.server == "-":
            result.server = f"{stack.PRODUCTION} (ref: bare)"
    return results
