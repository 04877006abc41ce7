"""What an agency sees of a programme: figures, tables (also as CSV) and charts.

Each table is built once as plain rows, so the page, the CSV export and the charts show the
same numbers.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pygal
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pygal.style import Style

from incentives import ledger
from incentives.models import Contribution, ContributionKind, LedgerEntry, Programme
from mentoring import outcomes
from mentoring.selectors import outcomes as mentoring

SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
CENT = Decimal("0.01")
CREDITED = [Contribution.Status.CREDITED, Contribution.Status.CAPPED]
CHART_STYLE = Style(
    background="white",
    plot_background="white",
    colors=("#0b6e4f", "#c97b1a", "#3b6ea5", "#8a3b5c"),
    font_family="system-ui, sans-serif",
)


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_cell(header) for header in self.headers])
        writer.writerows([_cell(value) for value in row] for row in self.rows)
        return out.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula; members choose their
# names, so such text is kept as text with a leading apostrophe (OWASP's advice).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@dataclass
class Dashboard:
    programme: Programme
    figures: dict
    tables: dict[str, Table]


def _money(value) -> Decimal:
    # SQLite sums decimals to "100", PostgreSQL to "100.00": tables and CSV show cents.
    return Decimal(value or 0).quantize(CENT)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def _outcome_rows(label: str, firms, year: int) -> list:
    total = outcomes.cohort(mentoring.firm_outcomes(firms, as_of=year).values())
    row = [label, total.firms, total.entered, _percent(total.entered, total.firms)]
    for years in outcomes.SURVIVAL_YEARS:
        survived, eligible = total.survival[years]
        row.append(_percent(survived, eligible))
    row.append(total.pairs)
    return row


def build(programme: Programme) -> Dashboard:
    clusters = list(programme.clusters.order_by("name"))
    contributions = Contribution.objects.filter(programme=programme)
    credited = contributions.filter(status__in=CREDITED)
    # Held and confirmed: by the follower, by enough attendees, or by a coordinator.
    sessions = contributions.filter(
        kind__in=[ContributionKind.SESSION_HELD, ContributionKind.GROUP_SESSION],
        confirmed_at__isnull=False,
    )
    used = programme.budget - ledger.budget_left(programme)
    people = mentoring.participation([c.pk for c in clusters])
    # One set of numbers for the cards, the summary table and its CSV, in cents.
    figures = {
        "mentors": people["mentors"],
        "followers": people["followers"],
        "sessions": sessions.count(),
        "hours": _money(sessions.aggregate(t=Sum("hours"))["t"]),
        "accepted_answers": contributions.filter(kind=ContributionKind.ACCEPTED_ANSWER).count(),
        "budget": _money(programme.budget),
        "used": _money(used),
        "left": _money(programme.budget - used),
        "to_review": contributions.filter(
            status__in=[Contribution.Status.REVIEW, Contribution.Status.PENDING]
        ).count(),
    }

    summary = Table("summary", _("Programme in figures"), [_("Figure"), _("Value")])
    summary.rows = [
        [_("Active mentors"), figures["mentors"]],
        [_("Active followers"), figures["followers"]],
        [_("Sessions held and confirmed"), figures["sessions"]],
        [_("Hours of confirmed sessions"), figures["hours"]],
        [_("Accepted answers"), figures["accepted_answers"]],
        [_("Budget"), figures["budget"]],
        [_("Budget used"), figures["used"]],
        [_("Budget left"), figures["left"]],
        [_("Waiting for a decision"), figures["to_review"]],
    ]

    by_cluster = Table(
        "clusters", _("Credits by cluster"), [_("Cluster"), _("Contributions"), _("Credited")]
    )
    totals = {
        row["cluster"]: row
        for row in credited.values("cluster").annotate(n=Count("id"), total=Sum("amount"))
    }
    for cluster in clusters:
        row = totals.get(cluster.pk, {"n": 0, "total": None})
        by_cluster.rows.append([cluster.name, row["n"], _money(row["total"])])

    by_member = Table(
        "members", _("Credits by member"), [_("Member"), _("Contributions"), _("Credited")]
    )
    for row in (
        credited.values("actor", "actor__profile__display_name")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("-total", "actor__profile__display_name", "actor")
    ):
        # The name members show each other; never their e-mail address.
        name = row["actor__profile__display_name"] or f"#{row['actor']}"
        by_member.rows.append([name, row["n"], _money(row["total"])])

    by_month = Table("months", _("Credits by month"), [_("Month"), _("Credited"), _("Reversed")])
    months: dict = {}
    for row in (
        LedgerEntry.objects.filter(
            programme=programme, kind__in=[LedgerEntry.Kind.CREDIT, LedgerEntry.Kind.REVERSAL]
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month", "kind")
        .annotate(total=Sum("amount"))
        .order_by("month")
    ):
        key = row["month"].strftime("%Y-%m")
        months.setdefault(key, {"credit": Decimal("0"), "reversal": Decimal("0")})
        months[key][row["kind"]] = row["total"]
    for key, amounts in months.items():
        by_month.rows.append([key, _money(amounts["credit"]), _money(amounts["reversal"])])

    by_kind = Table("kinds", _("Contributions by kind"), [_("Kind"), _("Reported"), _("Credited")])
    kinds = dict(ContributionKind.choices)
    reported = dict(contributions.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    paid = dict(credited.values("kind").annotate(t=Sum("amount")).values_list("kind", "t"))
    for kind, n in sorted(reported.items()):
        by_kind.rows.append([str(kinds.get(kind, kind)), n, _money(paid.get(kind))])

    year = timezone.localdate().year
    mentored, others = mentoring.mentored_and_other_firms([c.pk for c in clusters])
    survival = [
        ngettext("Exported again after %(n)d year", "Exported again after %(n)d years", n)
        % {"n": n}
        for n in outcomes.SURVIVAL_YEARS
    ]
    outcome_table = Table(
        "outcomes",
        _("Export outcomes of followers' firms"),
        [_("Firms"), _("Count"), _("Have exported"), _("Share exported"), *survival, _("Pairs")],
    )
    outcome_table.rows.append(_outcome_rows(_("Mentored"), mentored, year))
    outcome_table.rows.append(_outcome_rows(_("Not mentored"), others, year))

    tables = {t.key: t for t in (summary, by_cluster, by_member, by_month, by_kind, outcome_table)}
    return Dashboard(programme=programme, figures=figures, tables=tables)


def _bar(title: str, labels: list[str], series: dict[str, list]) -> str:
    chart = pygal.Bar(
        style=CHART_STYLE, height=320, width=720, js=[], legend_at_bottom=True, show_legend=True
    )
    chart.title = title
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, [float(v) if v is not None else None for v in values])
    # pygal always writes a config <script> for its tooltips; charts here are images.
    return SCRIPT.sub("", chart.render(is_unicode=True))


def chart(dashboard: Dashboard, key: str) -> str | None:
    """An SVG chart of one table, or None for a table without a chart."""
    table = dashboard.tables.get(key)
    if table is None:
        return None
    if key == "months":
        return _bar(
            table.title,
            [row[0] for row in table.rows],
            {_("Credited"): [r[1] for r in table.rows], _("Reversed"): [r[2] for r in table.rows]},
        )
    if key == "clusters":
        return _bar(
            table.title, [r[0] for r in table.rows], {_("Credited"): [r[2] for r in table.rows]}
        )
    if key == "outcomes":
        labels = table.headers[3:-1]

        def share(value):
            return (
                float(value.rstrip("%"))
                if isinstance(value, str) and value.endswith("%")
                else None
            )

        return _bar(
            table.title,
            [str(label) for label in labels],
            {str(row[0]): [share(v) for v in row[3:-1]] for row in table.rows},
        )
    return None
