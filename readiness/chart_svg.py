"""A firm's scores over time, drawn on the server as SVG (no script, no chart library): one
small panel per dimension, a point per submission, scaled to the page's width. A table of the
same figures sits beside it."""

from django.utils import formats
from django.utils.html import escape

from readiness import dimensions

WIDTH, PANEL, PAD, LABEL = 320, 72, 8, 28
PLOT_LEFT, PLOT_RIGHT = 36, WIDTH - 24
COLORS = {dimensions.LOW: "#b02a37", dimensions.MIDDLE: "#9a6700", dimensions.HIGH: "#146c43"}


def _y(top: float, score: int) -> float:
    return top + LABEL + (PANEL - LABEL - PAD) * (1 - score / 100)


def history(submissions: list[tuple], *, title: str) -> str:
    """`submissions`: (date, {dimension: score}) oldest first."""
    codes = [d.code for d in dimensions.DIMENSIONS if any(d.code in s for _d, s in submissions)]
    height = PAD + len(codes) * PANEL + LABEL
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="readiness-chart" role="img" aria-labelledby="history-title">'
        f'<title id="history-title">{escape(title)}</title>'
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>'
    ]
    count = len(submissions)
    step = (PLOT_RIGHT - PLOT_LEFT) / max(count - 1, 1)
    xs = [
        PLOT_LEFT + step * i if count > 1 else (PLOT_LEFT + PLOT_RIGHT) / 2 for i in range(count)
    ]
    for row, code in enumerate(codes):
        top = PAD + row * PANEL
        parts.append(
            f'<text x="{PAD}" y="{top + 12}" font-size="10" font-weight="bold" '
            f'fill="#212529">{escape(dimensions.name(code))}</text>'
        )
        for mark in (0, 100):
            y = _y(top, mark)
            parts.append(
                f'<line x1="{PLOT_LEFT}" x2="{PLOT_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="#dee2e6"/><text x="{PLOT_LEFT - 4}" y="{y + 3:.1f}" font-size="8" '
                f'text-anchor="end" fill="#495057">{mark}</text>'
            )
        points = [
            (x, scores[code])
            for x, (_date, scores) in zip(xs, submissions, strict=True)
            if code in scores
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{_y(top, score):.1f}" for x, score in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="#495057" stroke-width="1.5"/>'
            )
        for x, score in points:
            color = COLORS[dimensions.band(score)]
            y = _y(top, score)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>'
                f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="9" text-anchor="middle" '
                f'fill="#212529">{score}</text>'
            )
    bottom = PAD + len(codes) * PANEL + 12
    for i, (x, (date, _scores)) in enumerate(zip(xs, submissions, strict=True)):
        label = escape(formats.date_format(date, "M Y"))
        anchor = "middle" if count == 1 or 0 < i < count - 1 else ("start" if i == 0 else "end")
        x = x - 6 if anchor == "start" else x + 6 if anchor == "end" else x
        parts.append(
            f'<text x="{x:.1f}" y="{bottom}" font-size="9" text-anchor="{anchor}" '
            f'fill="#495057">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
