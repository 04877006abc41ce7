"""Figures the reliability and security tests measure, printed at the end of `make test`.

Tests call `report(...)` with what they counted; a figure no test reported (its tests were
skipped or deselected) is printed as "not measured", never as a reassuring zero.
"""

# The summary's lines, in order; each adds up what every test reported under it.
SUMMARY_LINES = (
    "route x role cases checked",
    "object-level cases checked",
    "hostile inputs tried",
    "hostile inputs rendered or refused harmlessly",
    "fault scenarios passed",
    "lost messages",
    "duplicated messages",
    "double credits",
    "load errors",
    "load p99 page time (ms)",
    "load server memory growth (MiB)",
)

_figures: dict[str, int] = {}


def report(what: str, figure: int) -> None:
    """Add `figure` to the summary line `what` (one of SUMMARY_LINES)."""
    if what not in SUMMARY_LINES:
        raise KeyError(f"{what!r} is not a reliability summary line; add it to SUMMARY_LINES")
    _figures[what] = _figures.get(what, 0) + figure


def summary_lines() -> list[str]:
    return [f"{what}: {_figures.get(what, 'not measured')}" for what in SUMMARY_LINES]
