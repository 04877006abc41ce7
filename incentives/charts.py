"""The programme page's charts: SVG bar charts drawn on the server from a table's own rows."""

import re

import pygal
from pygal.style import Style

from core.tables import Table

SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
CHART_STYLE = Style(
    background="white",
    plot_background="white",
    colors=("#0b6e4f", "#c97b1a", "#3b6ea5", "#8a3b5c"),
    font_family="system-ui, sans-serif",
)


def svg(table: Table | None) -> str | None:
    """An SVG chart of the table, or None for a table without a chart."""
    if table is None or table.chart is None:
        return None
    chart = pygal.Bar(
        style=CHART_STYLE, height=320, width=720, js=[], legend_at_bottom=True, show_legend=True
    )
    chart.title = table.title
    chart.x_labels = [str(label) for label in table.chart.labels]
    for name, values in table.chart.series.items():
        chart.add(str(name), [float(v) if v is not None else None for v in values])
    # pygal always writes a config <script> for its tooltips; charts here are images.
    return SCRIPT.sub("", chart.render(is_unicode=True))
