"""5. Cohort matching: mentoring.matching.best_assignment against a greedy best-first pass.

Scores are drawn pair by pair from the weights in mentoring.scoring (headings, markets,
topics, language, places), so the solver sees the ties and gaps real cohorts have; about 3%
of pairs are excluded. Each solve runs in a fresh process so its peak memory is its own.
"""

import itertools
import multiprocessing
import os
import time

from bench.results import Result, median, row

EXCLUDED = 0.03


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def cohort(followers: int, mentors: int, seed: int):
    import numpy as np

    from mentoring.scoring import LIMITS, WEIGHTS

    rng = np.random.default_rng(seed)
    shape = (followers, mentors)
    capacities = rng.integers(1, 6, size=mentors)
    headings = rng.binomial(LIMITS["heading"], 0.15, shape)
    chapter = (headings == 0) & (rng.random(shape) < 0.3)
    scores = (
        WEIGHTS["heading"] * headings
        + WEIGHTS["chapter"] * chapter
        + WEIGHTS["product_market"] * (rng.random(shape) < 0.05)
        + WEIGHTS["market"] * rng.binomial(LIMITS["market"], 0.2, shape)
        + WEIGHTS["topic"] * rng.binomial(LIMITS["topic"], 0.25, shape)
        + WEIGHTS["language"] * (rng.random(shape) < 0.7)
        + WEIGHTS["same_cluster"]
        + WEIGHTS["place_left"] * np.minimum(capacities, LIMITS["place_left"])
    )
    excluded = rng.random(shape) < EXCLUDED
    matrix = [
        [None if out else int(score) for score, out in zip(line, gone, strict=True)]
        for line, gone in zip(scores, excluded, strict=True)
    ]
    return matrix, [int(c) for c in capacities]


def total(matrix, chosen) -> int:
    return sum(matrix[i][j] for i, j in enumerate(chosen) if j is not None)


def greedy(matrix, capacities) -> list[int | None]:
    """Best pair first: each follower takes the best mentor still having a place."""
    pairs = sorted(
        (
            (score, i, j)
            for i, line in enumerate(matrix)
            for j, score in enumerate(line)
            if score is not None
        ),
        key=lambda pair: -pair[0],
    )
    left, chosen = list(capacities), [None] * len(matrix)
    for _score, i, j in pairs:
        if chosen[i] is None and left[j] > 0:
            chosen[i], left[j] = j, left[j] - 1
    return chosen


def _peak_rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _solve(followers: int, mentors: int, seed: int) -> dict:
    """The optimal assignment, then greedy on the same cohort; peak memory after the first."""
    from mentoring.matching import best_assignment

    matrix, capacities = cohort(followers, mentors, seed)
    started = time.perf_counter()
    chosen = best_assignment(matrix, capacities)
    seconds = time.perf_counter() - started
    optimal = {"seconds": seconds, "total": total(matrix, chosen), "peak": _peak_rss()}
    started = time.perf_counter()
    chosen = greedy(matrix, capacities)
    seconds = time.perf_counter() - started
    return {"optimal": optimal, "greedy": {"seconds": seconds, "total": total(matrix, chosen)}}


def _child(pipe, name: str, args: tuple) -> None:
    _setup()
    pipe.send(globals()[name](*args))


def in_child(name: str, *args):
    """Run a function of this module in a fresh process: its own peak memory, no Django here."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_child, args=(theirs, name, args))
    process.start()
    answer = ours.recv() if ours.poll(900) else None
    process.join(timeout=10)
    if answer is None:
        process.kill()
        raise RuntimeError(f"{name}{args} did not finish in 900 s")
    return answer


def brute_force(matrix, capacities) -> int:
    best = 0
    options = [[None, *range(len(capacities))]] * len(matrix)
    for chosen in itertools.product(*options):
        fits = all(chosen.count(j) <= c for j, c in enumerate(capacities))
        if fits and all(j is None or matrix[i][j] is not None for i, j in enumerate(chosen)):
            best = max(best, total(matrix, chosen))
    return best


def small_cases(count: int) -> tuple[int, int]:
    """(cases where the solver equals brute force, cases) on 5 x 3 cohorts."""
    from mentoring.matching import best_assignment

    equal = 0
    for seed in range(count):
        matrix, capacities = cohort(5, 3, seed)
        capacities = [min(c, 2) for c in capacities]
        if total(matrix, best_assignment(matrix, capacities)) == brute_force(matrix, capacities):
            equal += 1
    return equal, count


def run(quick: bool, notes: list[str]) -> list[Result]:
    sizes = [(500, 100)] if quick else [(500, 100), (5000, 1000)]
    repeats = 3
    results = []
    for followers, mentors in sizes:
        scale = f"{followers:,} followers x {mentors:,} mentors"
        solved = [in_child("_solve", followers, mentors, seed) for seed in range(repeats)]
        optimal = [run["optimal"] for run in solved]
        best_first = [run["greedy"] for run in solved]
        decisive = (followers, mentors) == (5000, 1000)
        seconds = median(r["seconds"] for r in optimal)
        peak = max(r["peak"] for r in optimal) / 2**20
        results += [
            row(
                "matching",
                scale,
                "seconds to optimal assignment (ref: greedy)",
                seconds,
                median(r["seconds"] for r in best_first),
                target="< 30 s" if decisive else "",
                passed=seconds < 30 if decisive else None,
            ),
            row(
                "matching",
                scale,
                "peak MiB of the solving process, worst run",
                peak,
                None,
                target="< 2048" if decisive else "",
                passed=peak < 2048 if decisive else None,
            ),
            row(
                "matching",
                scale,
                "total score, median run (ref: greedy)",
                median(r["total"] for r in optimal),
                median(r["total"] for r in best_first),
                target=">= greedy, every run",
                passed=all(
                    o["total"] >= g["total"] for o, g in zip(optimal, best_first, strict=True)
                ),
            ),
        ]
    equal, cases = in_child("small_cases", 50 if quick else 200)
    results.append(
        row(
            "matching",
            f"{cases} cohorts of 5 x 3",
            "equal to brute force (ref: cases)",
            equal,
            cases,
            target="all",
            passed=equal == cases,
        )
    )
    return results
