"""An evaluation shaped for people: labelled outcomes, small cells suppressed, chart and CSV."""

import csv
import datetime
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evidence.design import MIN_CELL, OUTCOMES
from evidence.models import Evaluation

LABELS = {
    "exported": gettext_lazy("Exports at all (share of firms)"),
    "ihs_fob": gettext_lazy("Export value (inverse hyperbolic sine of FOB USD)"),
    "products": gettext_lazy("HS6 products exported"),
    "destinations": gettext_lazy("Destinations"),
    "pairs": gettext_lazy("Product-destination pairs"),
    "new_pair": gettext_lazy("Exports a pair not exported in the 3 years before"),
    "survival": gettext_lazy("Keeps exporting (given exports the year before)"),
}


@dataclass
class Row:
    outcome: str
    label: str
    result: dict | None  # None when the outcome could not be estimated
    error: str = ""


def rows(evaluation: Evaluation) -> list[Row]:
    shown = []
    for outcome in OUTCOMES:
        result = evaluation.results.get(outcome) or {"error": ""}
        if "error" in result:
            shown.append(Row(outcome, str(LABELS[outcome]), None, _(result["error"] or "")))
        else:
            shown.append(Row(outcome, str(LABELS[outcome]), result))
    return shown


def cohorts(result: dict) -> list[dict]:
    """Cohorts of fewer than MIN_CELL firms are suppressed: they could identify firms."""
    return [cohort for cohort in result.get("cohorts", []) if (cohort.get("n") or 0) >= MIN_CELL]


@dataclass
class Section:
    """One estimated outcome of the printed report: its row, chart and cohorts."""

    row: Row
    chart: str  # inline SVG, drawn from numbers and our own labels only
    cohorts: list[dict]


def sections(shown: list[Row]) -> list[Section]:
    return [
        Section(
            row,
            mark_safe(event_chart(row.result, row.label, title_id=f"chart-{row.outcome}")),
            cohorts(row.result),
        )
        for row in shown
        if row.result is not None
    ]


def as_of(evaluation: Evaluation) -> datetime.date | None:
    """The day of the latest import the estimate was made from, to print in the reader's
    language."""
    text = evaluation.coverage.get("as_of") or ""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def csv_text(evaluation: Evaluation) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "outcome",
            "level",
            "label",
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "n_treated",
            "n_comparison",
            "pre_trend_p",
            "mde",
            "inconclusive",
            "comparison_group",
            "data_as_of",
        ]
    )
    as_of = evaluation.coverage.get("as_of", "")
    for row in rows(evaluation):
        if row.result is None:
            continue
        r = row.result
        common = [r["n_treated"], r["n_comparison"], r["pre_trend_p"], r["mde"]]
        tail = [r["inconclusive"], evaluation.comparison, as_of]
        effects = [("overall", r["overall"])]
        effects += [("cohort", c) for c in cohorts(r)]
        effects += [("event_time", e) for e in r["event_study"]]
        for level, e in effects:
            writer.writerow(
                [
                    row.outcome,
                    level,
                    e["label"],
                    e["estimate"],
                    e["se"],
                    e["ci_low"],
                    e["ci_high"],
                    *common,
                    *tail,
                ]
            )
    return out.getvalue()


WIDTH, HEIGHT, PAD = 720, 320, 48


def event_chart(result: dict | None, title: str, *, title_id: str = "chart-title") -> str:
    """Effects by years since the start, each with its 95% interval as a shaded band.

    `title_id` names the chart's title: each chart drawn inline in one page needs its own."""
    points = [e for e in (result or {}).get("event_study", []) if e["estimate"] is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id}"><title id="{title_id}">{escape(title)}</title>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>'
    ]
    if not points:
        empty = escape(_("No estimate yet."))
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="14">'
            f"{empty}</text></svg>"
        )
        return "".join(parts)
    times = [-4, 4]
    values = [v for e in points for v in (e["ci_low"], e["ci_high"]) if v is not None] + [0]
    low, high = min(values), max(values)
    span = (high - low) or 1.0

    def x(t):
        return PAD + (t - times[0]) / (times[1] - times[0]) * (WIDTH - 2 * PAD)

    def y(v):
        return HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD)

    band = [(x(e["label"]), y(e["ci_high"])) for e in points]
    band += [(x(e["label"]), y(e["ci_low"])) for e in reversed(points)]
    parts.append(
        '<polygon fill="#9ec5fe" fill-opacity="0.6" points="'
        + " ".join(f"{px:.1f},{py:.1f}" for px, py in band)
        + '"/>'
    )
    parts.append(
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#6c757d" '
        'stroke-dasharray="4 4"/>'
    )
    parts.append(
        f'<line x1="{x(-0.5):.1f}" x2="{x(-0.5):.1f}" y1="{PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#adb5bd"/>'
    )
    parts.append(
        '<polyline fill="none" stroke="#0a58ca" stroke-width="2" points="'
        + " ".join(f"{x(e['label']):.1f},{y(e['estimate']):.1f}" for e in points)
        + '"/>'
    )
    for e in points:
        parts.append(
            f'<circle cx="{x(e["label"]):.1f}" cy="{y(e["estimate"]):.1f}" r="4" fill="#0a58ca">'
            f"<title>{e['label']}: {e['estimate']:.3f} [{e['ci_low']:.3f}, {e['ci_high']:.3f}]"
            "</title></circle>"
        )
    for t in range(times[0], times[1] + 1):
        parts.append(
            f'<text x="{x(t):.1f}" y="{HEIGHT - PAD + 18}" text-anchor="middle" '
            f'font-size="12">{t}</text>'
        )
    for v in (low, 0, high):
        parts.append(
            f'<text x="{PAD - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{v:.2f}</text>"
        )
    axis = escape(_("Years since support began; shaded, the 95 percent interval"))
    parts.append(
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 6}" text-anchor="middle" font-size="12">'
        f"{axis}</text></svg>"
    )
    return "".join(parts)
