"""`python -m bench [--quick] [--only NAME ...]`: run benchmarks, print one table, save JSON."""

import argparse
import importlib
import os
import platform
import resource
import sys
import time
import traceback

from bench import results, stack

BENCHMARKS = [
    "fanout",
    "layer",
    "connections",
    "storm",
    "server",
    "pages",
    "matching",
    "crediting",
    "journeys",
    "signup",
    "evidence",
    "writing",
]
# Seconds a benchmark waits at most for what the one before left running to finish.
QUIET_WAIT = 120
# Connections and the Daphne/Uvicorn comparison share one module: both hold idle sockets.
MODULES = {
    "fanout": "bench.fanout",
    "layer": "bench.layers",
    "connections": "bench.connections",
    "storm": "bench.storm",
    "server": "bench.capacity",
    "pages": "bench.pages",
    "matching": "bench.matching",
    "crediting": "bench.crediting",
    "journeys": "bench.journeys",
    "signup": "bench.signup",
    "evidence": "bench.evidence",
    "writing": "bench.writing",
}


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB memory, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def cpu_seconds() -> float:
    """CPU time of the bench and every process it has waited for (servers, clients, probes):
    on a shared machine, what a part costs whatever else is running."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="CI-sized scales, under 5 minutes")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=BENCHMARKS)
    parser.add_argument("--max-sockets", type=int, help="cap the socket benchmarks' scales")
    parser.add_argument("--max-topics", type=int, help="cap the pages benchmark's large size")
    args = parser.parse_args()
    if args.max_sockets:
        stack.MAX_SOCKETS.append(args.max_sockets)
    if args.max_topics:
        stack.MAX_TOPICS.append(args.max_topics)

    started = time.monotonic()
    measured = stack.commit()
    print(f"machine: {machine()}; commit {measured}")
    print(f"load average at start: {stack.load_average()}  ({results.now()})")
    print(f"pace at start: {stack.pace():.2f} ms of a fixed loop of Python (bench.stack.pace)")
    rows: list[results.Result] = []
    notes: list[str] = []
    printed = 0
    for name in args.only:
        # The quick run judges no time, and has 5 minutes: it does not wait.
        waited = 0.0 if args.quick else stack.settle(at_most=QUIET_WAIT)
        if waited is None:
            notes.append(f"{name}: the machine was still busy after {QUIET_WAIT} s; timed anyway")
            waited = QUIET_WAIT
        began, cpu, load_start = time.monotonic(), cpu_seconds(), stack.load_average()
        pace_start = stack.pace()
        quiet = f" (after {waited:.0f} s for the machine to go quiet)" if waited else ""
        print(f"-- {name} ...{quiet}", flush=True)
        try:
            module = importlib.import_module(MODULES[name])
            found = module.run(args.quick, notes)
        except Exception as error:
            # One benchmark failing must not hide the others' figures; it fails its row.
            traceback.print_exc()
            notes.append(f"{name}: did not complete: {type(error).__name__}: {error}")
            found = [results.row(name, "-", "completed", None, target="runs", passed=False)]
        load_end, pace_end = stack.load_average(), stack.pace()
        for found_row in found:
            found_row.commit, found_row.load_start, found_row.load_end = (
                measured,
                load_start,
                load_end,
            )
            found_row.pace_start, found_row.pace_end = pace_start, pace_end
        rows += found
        for note in notes[printed:]:
            print(f"   note: {note}")  # now too, in case the run is stopped later
        printed = len(notes)
        results.write(rows)  # a run stopped part way keeps what it measured
        print(
            f"   {name} took {time.monotonic() - began:.0f} s, {cpu_seconds() - cpu:.0f} s of CPU;"
            f" load average {load_start} to {load_end};"
            f" pace {pace_start:.2f} to {pace_end:.2f} ms",
            flush=True,
        )
    print()
    print(results.table(rows))
    for note in notes:
        print(f"note: {note}")
    print(
        f"load average at end: {stack.load_average()}, pace {stack.pace():.2f} ms;"
        f" took {time.monotonic() - started:.0f} s, {cpu_seconds():.0f} s of CPU"
    )
    results.write(rows)
    print(f"written: {results.RESULTS}")
    return 1 if any(r.passed is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
