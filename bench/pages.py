"""4. Pages at scale: the same pages on small and large data, first page and deep page.

Each size gets its own database, seeded by bench.seed and probed by bench.pages_probe in
separate processes, the sizes in turns; DEBUG is off, as in production.
"""

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from bench import stack
from bench.results import Result, median, percentile, row

SMALL = {"topics": 1000, "posts": 1000, "members": 1000, "entries": 10_000}
LARGE = {"topics": 100_000, "posts": 100_000, "members": 50_000, "entries": 1_000_000}
# Quick: a tenth of the small size and the small size itself; the checks, not the scale.
QUICK_SMALL = {"topics": 100, "posts": 100, "members": 100, "entries": 1_000}
QUICK_LARGE = {"topics": 1_000, "posts": 1_000, "members": 1_000, "entries": 10_000}
TURNS = 3  # probes of each size, one run each


def _label(size: dict) -> str:
    return (
        f"{size['topics']:,} topics/posts, {size['members']:,} members, "
        f"{size['entries']:,} entries"
    )


@contextmanager
def _seeded(size: dict, notes: list[str]) -> Iterator[tuple[dict, str]]:
    """A database of this size, seeded and analysed: the probe's environment and what
    bench.seed printed. Dropped afterwards."""
    with stack.database("pages") as db:
        env = stack.django_env(db, BENCH_PLAIN_STATIC="true", ALLOWED_HOSTS="testserver")
        started = time.monotonic()
        seeded = stack.run_module("bench.seed", *(f"--{k}={v}" for k, v in size.items()), env=env)
        notes.append(f"pages: seeded {_label(size)} in {time.monotonic() - started:.0f} s")
        stack.analyze(db)
        yield env, seeded


def _probe(env: dict, seeded: str, requests: int) -> dict:
    found = stack.run_module(
        "bench.pages_probe", f"--requests={requests}", "--runs=1", "--seeded", seeded, env=env
    )
    return json.loads(found)


def measure(sizes: list[dict], requests: int, notes: list[str]) -> list[dict]:
    """Each size's figures, probed in turns with the order alternating: the large size is
    compared with the small one measured minutes apart otherwise, and this machine's pace
    drifts by a third in minutes (bench.stack.pace)."""
    with ExitStack() as stack_of_databases:
        databases = [stack_of_databases.enter_context(_seeded(size, notes)) for size in sizes]
        found: list[dict] = [{} for _ in sizes]
        for turn in range(TURNS):
            order = range(len(sizes)) if turn % 2 == 0 else reversed(range(len(sizes)))
            for index in order:
                for name, figures in _probe(*databases[index], requests).items():
                    if name in found[index] and "runs" in figures:
                        found[index][name]["runs"] += figures["runs"]
                    else:
                        found[index][name] = figures
        return found


def _p(figures: dict, q: float) -> float | None:
    return median(percentile(run, q) for run in figures["runs"])


def run(quick: bool, notes: list[str]) -> list[Result]:
    large_size = QUICK_LARGE if quick else LARGE
    if stack.MAX_TOPICS and stack.MAX_TOPICS[0] < large_size["topics"]:
        share = stack.MAX_TOPICS[0] / large_size["topics"]
        notes.append(f"pages: large size capped to {share:.0%} of {_label(large_size)}")
        large_size = {name: int(count * share) for name, count in large_size.items()}
    requests = 4 if quick else 10
    small_size = QUICK_SMALL if quick else SMALL
    small, large = measure([small_size, large_size], requests, notes)
    scale = _label(large_size)
    # At the quick run's sizes a deep page or a SUM takes as long as the request around it:
    # only the query counts are judged there.
    decisive = not quick
    results = []
    pages = [name for name, figures in large.items() if "queries" in figures]
    for name in pages:
        ours, ref = large[name]["queries"], small[name]["queries"]
        results.append(
            row(
                "pages",
                f"{name}: large (ref: small)",
                "queries per request",
                ours,
                ref,
                target="same at both sizes",
                passed=ours == ref,
            )
        )
        results.append(
            row(
                "pages",
                f"{name}: large (ref: small)",
                "p50 ms",
                _p(large[name], 50),
                _p(small[name], 50),
            )
        )
        results.append(
            row(
                "pages",
                f"{name}: large (ref: small)",
                "p99 ms",
                _p(large[name], 99),
                _p(small[name], 99),
            )
        )
    for page in ("forum page", "topic page", "member directory"):
        deep, first = _p(large[f"{page}, deep"], 50), _p(large[f"{page}, first"], 50)
        results.append(
            row(
                "pages",
                f"{page}: {scale}",
                "p50 ms deep page (ref: first page)",
                deep,
                first,
                target="<= 1.5x first" if decisive else "",
                passed=deep <= 1.5 * first if decisive else None,
            )
        )
    keyset, offset = _p(large["keyset read at depth"], 50), _p(large["offset read at depth"], 50)
    results.append(
        row(
            "pages",
            f"posts at depth 90% of {large_size['posts']:,}",
            "p50 ms keyset read (ref: offset)",
            keyset,
            offset,
            target="<= 0.1x offset" if decisive else "",
            passed=keyset <= 0.1 * offset if decisive else None,
        )
    )
    # The search: a word in about a quarter of 100,000 posts, p95 within 150 ms and
    # its time within 1.5 times its time at the small size.
    matches, small_matches = large["search matches"]["posts"], small["search matches"]["posts"]
    search_p95 = _p(large["search"], 95)
    results.append(
        row(
            "pages",
            f"search: {scale}",
            f"p95 ms, a word in {matches:,} posts",
            search_p95,
            target="<= 150 ms" if decisive else "",
            passed=search_p95 <= 150 if decisive else None,
        )
    )
    large_p50, small_p50 = _p(large["search"], 50), _p(small["search"], 50)
    results.append(
        row(
            "pages",
            f"search: {large_size['posts']:,} posts (ref: {small_size['posts']:,})",
            f"p50 ms, a word in {matches:,} posts (ref: {small_matches:,})",
            large_p50,
            small_p50,
            target="<= 1.5x small" if decisive else "",
            passed=large_p50 <= 1.5 * small_p50 if decisive else None,
        )
    )
    for account in ("member", "programme"):
        kept, summed = (
            _p(large[f"{account} balance, kept"], 50),
            _p(large[f"{account} balance, SUM"], 50),
        )
        results.append(
            row(
                "pages",
                f"{account} balance, {large_size['entries']:,} entries",
                "p50 ms kept balance (ref: SUM over entries)",
                kept,
                summed,
                target="<= 0.1x SUM" if decisive else "",
                passed=kept <= 0.1 * summed if decisive else None,
            )
        )
    return results
