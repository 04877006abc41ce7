"""Figures as the benchmarks report them: medians, percentiles, the table and results.json."""

import datetime
import json
import os
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path

# BENCH_RESULTS=path writes elsewhere, e.g. for runs of some benchmarks side by side.
RESULTS = Path(os.environ.get("BENCH_RESULTS") or Path(__file__).resolve().parent / "results.json")


def percentile(values, q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@dataclass
class Result:
    """One row of the table; `ours` and `reference` are None where nothing was measured."""

    benchmark: str
    scale: str
    metric: str
    ours: float | None
    reference: float | None
    ratio: float | None
    target: str
    passed: bool | None
    measured_at: str
    server: str = "-"  # what served the app for this row: daphne, uvicorn, bare, or "-"
    commit: str = ""  # the code measured; "+changes" when the checkout was not clean
    load_start: str = ""  # load average (1, 5, 15 min) as this row's benchmark began
    load_end: str = ""  # and as it ended: a busy machine explains a slow figure
    pace_start: float | None = None  # ms of a fixed loop of Python (bench.stack.pace) then
    pace_end: float | None = None  # and at the end: a slow machine explains one too


def row(
    benchmark: str,
    scale: str,
    metric: str,
    ours: float | None,
    reference: float | None = None,
    *,
    target: str = "",
    passed: bool | None = None,
    server: str = "-",
) -> Result:
    """A row whose ratio is ours / reference, when both were measured."""
    ratio = None
    if ours is not None and reference not in (None, 0):
        ratio = ours / reference
    return Result(
        benchmark, scale, metric, ours, reference, ratio, target, passed, now(), server=server
    )


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _verdict(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "-"}[passed]


def table(results: list[Result]) -> str:
    header = ("benchmark", "scale", "metric", "ours", "reference", "ratio", "target", "result")
    lines = [
        (
            r.benchmark,
            r.scale,
            r.metric,
            _number(r.ours),
            _number(r.reference),
            _number(r.ratio),
            r.target or "-",
            _verdict(r.passed),
        )
        for r in results
    ]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]

    def render(cells) -> str:
        return (
            "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"
        )

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


def write(results: list[Result], path: Path = RESULTS) -> None:
    path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")


def load(path: Path) -> list[Result]:
    # Files from before a field was added read with its default.
    known = set(Result.__dataclass_fields__)
    return [
        Result(**{k: v for k, v in found.items() if k in known})
        for found in json.loads(path.read_text())
    ]


if __name__ == "__main__":
    # `python -m bench.results [FILE ...]`: the table of saved runs, e.g. of parts run apart.
    import sys

    paths = [Path(name) for name in sys.argv[1:]] or [RESULTS]
    print(table([found for path in paths for found in load(path)]))
