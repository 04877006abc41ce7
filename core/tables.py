"""A table of plain rows that a page shows, a CSV export downloads and a chart may draw, so
all three show the same numbers."""

import csv
import io
from dataclasses import dataclass, field

# A spreadsheet runs a cell that starts with one of these as a formula; members choose their
# names, so such text is kept as text with a leading apostrophe (OWASP's advice).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """`value` as a spreadsheet shows it, never runs it: text that starts like a formula gets
    a leading apostrophe. For every CSV a person's own words reach."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@dataclass(frozen=True)
class Chart:
    """What a bar chart of the table draws: one bar group per label, one colour per series."""

    labels: list[str]
    series: dict[str, list]


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    chart: Chart | None = None  # none: the table is shown without a chart
    note: str = ""  # a sentence shown under the table (where its figures come from)
    link: tuple[str, str] | None = None  # (url, text) shown after the note

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([formula_safe(header) for header in self.headers])
        writer.writerows([formula_safe(value) for value in row] for row in self.rows)
        return out.getvalue()
