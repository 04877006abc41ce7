"""Role journeys: server time of every page the browser journeys visit, on the demo network.

The demo network is seeded into its own database, PostgreSQL as in production and SQLite as
`make run` serves it, and probed by bench.journeys_probe in a separate process, DEBUG off.
Targets: every page at most 25 queries, and under 50 ms at p95 on PostgreSQL (100 ms on
SQLite), in each language. The quick run's few requests judge only the queries.
"""

import contextlib
import json
import subprocess
import tempfile
from collections import defaultdict

from bench import stack
from bench.results import Result, median, percentile, row

TARGET_MS = {"postgresql": 50, "sqlite": 100}
MAX_QUERIES = 25


@contextlib.contextmanager
def _demo_network(store: str):
    """The environment of a database holding a fresh demo network."""
    # Emails wait in the task queue, as with the worker production runs beside its web server.
    extra = {"BENCH_PLAIN_STATIC": "true", "ALLOWED_HOSTS": "testserver", "TASK_WORKER": "true"}
    with contextlib.ExitStack() as stack_:
        if store == "postgresql":
            name = stack_.enter_context(stack.database("journeys"))
            env = stack.django_env(name, **extra)
        else:
            folder = stack_.enter_context(tempfile.TemporaryDirectory())
            env = stack.django_env("unused", **extra)
            env["DATABASE_URL"] = stack.sqlite_database(folder, "demo.sqlite3")
        _manage({**env, "BENCH_CHEAP_HASHING": "true"}, "seed_demo")
        if store == "postgresql":
            stack.analyze(name)
        yield env


def _manage(env: dict[str, str], *command: str) -> None:
    subprocess.run(
        [stack.PYTHON, "manage.py", *command, "--verbosity=0"],
        cwd=stack.ROOT,
        env=env,
        check=True,
    )


def _probe(store: str, requests: int, runs: int) -> dict:
    with _demo_network(store) as env:
        probed = stack.run_module(
            "bench.journeys_probe", f"--requests={requests}", f"--runs={runs}", env=env
        )
    return json.loads(probed)


def run(quick: bool, notes: list[str]) -> list[Result]:
    # The quick run judges only the queries, which one request counts: few timed requests.
    requests, runs = (2, 1) if quick else (20, 3)
    results = []
    for store in ("postgresql", "sqlite"):
        # One row per page: its slowest language, since each must be under the target.
        pages = defaultdict(list)
        probed = _probe(store, requests, runs)
        for page in probed["pages"].values():
            p50 = median(percentile(times, 50) for times in page["runs"])
            p95 = median(percentile(times, 95) for times in page["runs"])
            pages[(page["role"], page["url"])].append(
                (p95, p50, page["language"], page["queries"])
            )
        for (role, url), languages in pages.items():
            p95, p50, language, _ = max(languages)
            most = max(found[3] for found in languages)
            fast = p95 <= TARGET_MS[store] or quick
            target = f"<= {MAX_QUERIES} queries" + (
                "" if quick else f", p95 <= {TARGET_MS[store]} ms"
            )
            results.append(
                row(
                    "journeys",
                    f"{role} {url}, {store}",
                    f"p95 ms, slowest of es/pt/en: {language} (ref: p50); {most} queries",
                    p95,
                    p50,
                    target=target,
                    passed=most <= MAX_QUERIES and fast,
                )
            )
        mine = [result for result in results if result.scale.endswith(store)]
        slowest = max(mine, key=lambda result: result.ours)
        notes.append(
            f"journeys: {store}, {len(mine)} pages x 3 languages, {requests} requests x {runs} "
            f"runs each; slowest p95 {slowest.ours:.0f} ms ({slowest.scale})"
        )
        pace = probed["pace"]
        fast, usual, slow = min(pace), percentile(pace, 50), percentile(pace, 95)
        notes.append(
            f"journeys: {store}, the machine's own pace: a fixed loop of pure Python timed after "
            f"each request took {fast:.2f} ms at best, p50 {usual:.2f}, p95 {slow:.2f} "
            f"({slow / usual:.2f}x its p50); a page's p95 carries that spread too"
        )
    return results
