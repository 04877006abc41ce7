"""3b. Production's server against Daphne (`make run`'s) at the capacity point: readers a
server holds before p95 > 250 ms.

The same app, settings and harness; readers are added step by step to one server process
and a fixed-rate round of posts is timed at each step, until p95 passes the limit.
"""

from itertools import zip_longest

from bench import stack
from bench.results import Result, median, row
from bench.sockets import Session, World

LIMIT_MS = 250
# Low enough that writes are far from saturation: the limit is reached by fan-out cost.
RATE = 2


def sweep(kind: str, env: dict, world: World, steps: list[int], posts: int) -> list:
    """(readers, p95 ms) at each step, stopping at the first step past the limit."""
    found = []
    with stack.server(kind, env) as (port, _pid), Session(world, port, steps[-1]) as session:
        session.connect_writers()
        connected = 0
        for step in steps:
            session.connect(world.readers[connected:step])
            connected = step
            session.round(2, RATE)  # warm-up for the new readers
            p95 = median(session.round(posts, RATE).latency(95) for _ in range(3))
            found.append((session.connected, p95))
            if p95 is None or p95 > LIMIT_MS:
                break
    return found


def capacity(points: list[tuple[int, float]]) -> int:
    """The most readers served within the limit; 0 if even the first step was over it."""
    within = [readers for readers, p95 in points if p95 is not None and p95 <= LIMIT_MS]
    return max(within, default=0)


def run(quick: bool, notes: list[str]) -> list[Result]:
    # Capacity at CI scale means nothing: the quick run checks that the sweep runs, one step.
    steps = [50] if quick else [100, 250, 500, 1000, 2000, 3000, 5000]
    steps = stack.capped(steps, notes, "server")
    with stack.redis_server() as redis_url, stack.database("server") as db:
        env = stack.django_env(db, redis_url, BENCH_TUNED_POOL="true")
        world = World.build(env, members=steps[-1])
        posts = 3 if quick else 6
        shipped = sweep(stack.PRODUCTION, env, world, steps, posts)
        daphne = sweep("daphne", env, world, steps, posts)
    label = stack.LABELS[stack.PRODUCTION]
    results = []
    for ours, theirs in zip_longest(shipped, daphne):
        readers = (ours or theirs)[0]
        results.append(
            row(
                "server",
                f"{readers} readers",
                f"p95 ms at {RATE} posts/s, {label} (ref: Daphne)",
                ours[1] if ours else None,
                theirs[1] if theirs else None,
            )
        )
    ours_cap, theirs_cap = capacity(shipped), capacity(daphne)
    results.append(
        row(
            "server",
            f"p95 <= {LIMIT_MS} ms, steps {'/'.join(map(str, steps))}",
            f"capacity in readers, {label} (ref: Daphne)",
            ours_cap,
            theirs_cap,
        )
    )
    for result in results:
        result.server = f"{stack.PRODUCTION} (ref: daphne)"
    for name, points in ((label, shipped), ("Daphne", daphne)):
        if points and points[-1][1] is not None and points[-1][1] <= LIMIT_MS:
            notes.append(f"server {name}: still within {LIMIT_MS} ms at the last step")
    return results
