"""1. Live fan-out: posts made through the real service reach every open page of a topic.

Writers post over the forum socket, so each post is saved by forums.services.post_reply in
production's server (Uvicorn), committed, and broadcast through channels-redis to every
subscribed reader. The bare `websockets` server receives the same posts from the same harness
and broadcast()s them.
At the decisive scale the same posts also go, end to end, to the app on the other Redis
layer, on Daphne and on Granian, and to the peer: the Channels tutorial's chat consumer
(bench/tutorial_chat.py), what a Django team writes first, on the same server and layer.
The layer's Redis pool is the bench's tuned one (bench/settings.py): with redis-py's defaults
sockets are dropped, which the connections benchmark measures.
"""

from dataclasses import dataclass

from bench import stack
from bench.results import Result, median, row
from bench.sockets import Round, Session, World

# The fixed rate is half of what production's server sustained at saturation at that scale (at most
# RATE_CAP), the same for the bare server: latency below saturation, not queueing behind it.
RATE_CAP = 10.0
RATE_FLOOR = 0.25

# Run end to end at the decisive scale against production's server on RedisPubSubChannelLayer:
# the other Redis layer, for the choice of the shipped one; the other servers, for the choice
# of production's and how much of the distance to the bare server is the server's own.
ALTERNATIVES = [
    ("RedisChannelLayer", stack.PRODUCTION, {"BENCH_CHANNEL_LAYER": "core"}),
    ("Daphne", "daphne", {}),
    ("Granian", "granian", {}),
]
# Targets at the decisive scale (issue: live delivery at the ceiling); the long-run goal
# stays 0.5x the bare server's rate and 2x its p99, and the ratio column reports it.
BARE_RATE, BARE_P99 = 0.25, 4
PEER_RATE = 3


@dataclass
class Plan:
    scales: list[int]
    rounds: int
    fixed_posts: int
    saturation_posts: int
    layers_at: int  # the scale at which both Redis layers run end to end


FULL = Plan(
    scales=[100, 1000, 5000], rounds=3, fixed_posts=10, saturation_posts=20, layers_at=1000
)
QUICK = Plan(scales=[100], rounds=3, fixed_posts=6, saturation_posts=12, layers_at=100)


def fixed_rate(saturated: list[Round]) -> float:
    sustained = median(r.acked / r.seconds for r in saturated if r.seconds) or 0.0
    return round(min(max(sustained / 2, RATE_FLOOR), RATE_CAP), 2)


def measure(kind: str, env: dict, world: World, clients: int, plan: Plan, notes: list, rate):
    """Saturation rounds, then fixed-rate rounds at `rate` (None: half the saturation rate)."""
    with (
        stack.server(kind, env) as (port, _pid),
        Session(world, port, clients, saves=kind not in ("bare", "peer")) as session,
    ):
        connected = session.connect(world.readers[:clients])
        session.connect_writers()
        if session.failures:
            notes.append(f"fanout {kind} {clients}: {len(session.failures)} sockets failed")
        session.round(3, None)  # warm-up: templates, database and Redis connections
        saturated = [session.round(plan.saturation_posts, None) for _ in range(plan.rounds)]
        rate = rate or fixed_rate(saturated)
        fixed = [session.round(plan.fixed_posts, rate) for _ in range(plan.rounds)]
        return connected["subscribed"], fixed, saturated, rate


def _lost(rounds: list[Round]) -> int:
    return sum(r.lost for r in rounds)


def run(quick: bool, notes: list[str]) -> list[Result]:
    plan = QUICK if quick else FULL
    plan.scales = stack.capped(plan.scales, notes, "fanout")
    if plan.layers_at not in plan.scales:
        plan.layers_at = max(plan.scales)
    results = []
    with stack.redis_server() as redis, stack.database("fanout") as db:
        env = stack.django_env(db, redis, BENCH_TUNED_POOL="true")
        world = World.build(env, members=max(plan.scales))
        for clients in plan.scales:
            try:
                ours_n, ours_fixed, ours_sat, rate = measure(
                    stack.PRODUCTION, env, world, clients, plan, notes, None
                )
                bare_n, bare_fixed, bare_sat, _ = measure(
                    "bare", env, world, clients, plan, notes, rate
                )
            except RuntimeError as error:  # the smaller scales' figures still stand
                notes.append(f"fanout {clients}: did not complete: {error}")
                scale = f"{clients} clients"
                results.append(
                    row("fanout", scale, "completed", None, target="runs", passed=False)
                )
                continue
            scale = f"{clients} clients"
            if ours_n != clients or bare_n != clients:
                scale += f" (connected: ours {ours_n}, bare {bare_n})"
            decisive = clients == 1000
            p = {
                q: (
                    median(r.latency(q) for r in ours_fixed),
                    median(r.latency(q) for r in bare_fixed),
                )
                for q in (50, 95, 99)
            }
            results.append(row("fanout", scale, f"p50 ms at {rate:g} posts/s", *p[50]))
            results.append(row("fanout", scale, f"p95 ms at {rate:g} posts/s", *p[95]))
            ours99, bare99 = p[99]
            results.append(
                row(
                    "fanout",
                    scale,
                    f"p99 ms at {rate:g} posts/s",
                    ours99,
                    bare99,
                    target=f"<= {BARE_P99}x bare" if decisive else "",
                    passed=(
                        ours99 is not None and bare99 is not None and ours99 <= BARE_P99 * bare99
                    )
                    if decisive
                    else None,
                    server=f"{stack.PRODUCTION} (ref: bare)",
                )
            )
            ours_rate = median(r.delivered_per_second for r in ours_sat)
            bare_rate = median(r.delivered_per_second for r in bare_sat)
            results.append(
                row(
                    "fanout",
                    scale,
                    "delivered msg/s at saturation",
                    ours_rate,
                    bare_rate,
                    target=f">= {BARE_RATE}x bare" if decisive else "",
                    passed=(
                        ours_rate is not None and bare_rate and ours_rate >= BARE_RATE * bare_rate
                    )
                    if decisive
                    else None,
                    server=f"{stack.PRODUCTION} (ref: bare)",
                )
            )
            results.append(
                row(
                    "fanout",
                    scale,
                    "posts/s at saturation",
                    median(r.acked / r.seconds for r in ours_sat if r.seconds),
                    median(r.acked / r.seconds for r in bare_sat if r.seconds),
                )
            )
            lost = _lost(ours_fixed + ours_sat)
            results.append(
                row(
                    "fanout",
                    scale,
                    "messages lost (all rounds)",
                    lost,
                    _lost(bare_fixed + bare_sat),
                    target="0",
                    passed=lost == 0 and ours_n == clients,
                )
            )
            refused = sum(r.refused for r in ours_fixed + ours_sat)
            if refused:
                notes.append(f"fanout {clients}: {refused} posts refused by the server")
            if clients == plan.layers_at:
                results += _against_peer(
                    env, world, clients, plan, notes, rate, ours_sat, ours_fixed, scale, decisive
                )
                # Other layers and servers are compared, never judged: the full run only.
                for label, kind, other_env in ALTERNATIVES if not quick else ():
                    try:
                        _n, fixed, sat, _ = measure(
                            kind, {**env, **other_env}, world, clients, plan, notes, rate
                        )
                    except RuntimeError as error:  # keep the figures measured so far
                        notes.append(f"fanout {label} {clients}: did not complete: {error}")
                        results.append(
                            row(
                                "fanout",
                                scale,
                                f"{label} run completed",
                                None,
                                target="runs",
                                passed=False,
                            )
                        )
                        continue
                    compared = _compared(label, scale, rate, (ours_fixed, ours_sat), (fixed, sat))
                    for found in compared:
                        found.server = f"{kind} (ref: {stack.PRODUCTION})"
                    results += compared
    return results


def _against_peer(env, world, clients, plan, notes, rate, ours_sat, ours_fixed, scale, decisive):
    """The app against the Channels tutorial's consumer, same server, layer and posts."""
    try:
        _n, peer_fixed, peer_sat, _ = measure("peer", env, world, clients, plan, notes, rate)
    except RuntimeError as error:
        notes.append(f"fanout peer {clients}: did not complete: {error}")
        return [row("fanout", scale, "peer run completed", None, target="runs", passed=False)]
    ours_rate = median(r.delivered_per_second for r in ours_sat)
    peer_rate = median(r.delivered_per_second for r in peer_sat)
    ours99 = median(r.latency(99) for r in ours_fixed)
    peer99 = median(r.latency(99) for r in peer_fixed)
    both = None not in (ours_rate, peer_rate, ours99, peer99)
    return [
        row(
            "fanout",
            scale,
            "delivered msg/s at saturation (ref: Channels tutorial peer)",
            ours_rate,
            peer_rate,
            target=f">= {PEER_RATE}x peer" if decisive else "",
            passed=(both and ours_rate >= PEER_RATE * peer_rate) if decisive else None,
            server=f"{stack.PRODUCTION} (ref: {stack.PRODUCTION})",
        ),
        row(
            "fanout",
            scale,
            f"p99 ms at {rate:g} posts/s (ref: Channels tutorial peer)",
            ours99,
            peer99,
            target="<= peer" if decisive else "",
            passed=(both and ours99 <= peer99) if decisive else None,
            server=f"{stack.PRODUCTION} (ref: {stack.PRODUCTION})",
        ),
        row(
            "fanout",
            scale,
            "messages lost, Channels tutorial peer",
            _lost(peer_fixed + peer_sat),
            server=stack.PRODUCTION,
        ),
    ]


def _compared(label: str, scale: str, rate: float, shipped: tuple, other: tuple) -> list[Result]:
    """The app end to end on another layer or server, against what the project ships."""
    (shipped_fixed, shipped_sat), (other_fixed, other_sat) = shipped, other
    lost = _lost(other_fixed + other_sat)
    return [
        row(
            "fanout",
            scale,
            f"p99 ms at {rate:g} posts/s, {label} (ref: shipped)",
            median(r.latency(99) for r in other_fixed),
            median(r.latency(99) for r in shipped_fixed),
        ),
        row(
            "fanout",
            scale,
            f"delivered msg/s at saturation, {label} (ref: shipped)",
            median(r.delivered_per_second for r in other_sat),
            median(r.delivered_per_second for r in shipped_sat),
        ),
        row(
            "fanout",
            scale,
            f"messages lost, {label} (ref: shipped)",
            lost,
            _lost(shipped_fixed + shipped_sat),
            target="0",
            passed=lost == 0,
        ),
    ]
