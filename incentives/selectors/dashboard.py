"""What an agency sees of a programme: figures and tables, built once as plain rows so the
page, the CSV export and the charts show the same numbers.

Apps above incentives add their own figures and tables through core.programme_sections
(the evidence app adds who takes part in mentoring and the firms' export outcomes).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from core import programme_sections
from core.compiled import compiled_read
from core.tables import Chart, Table
from incentives.models import Contribution, ContributionKind, LedgerEntry, Programme
from incentives.selectors.ledger import CENT, budget_left
from network.models import Cluster

CREDITED = [Contribution.Status.CREDITED, Contribution.Status.CAPPED]


@dataclass
class Dashboard:
    programme: Programme
    figures: dict
    tables: dict[str, Table]
    section_tables: list[Table]  # the apps' above, shown after the programme's own


def _money(value) -> Decimal:
    # SQLite sums decimals to "100", PostgreSQL to "100.00": tables and CSV show cents.
    return Decimal(value or 0).quantize(CENT)


def _own_figures(programme: Programme, contributions: QuerySet) -> list[tuple[str, str, object]]:
    """(key, label, value) of the programme's own figures, in cents, in the summary's order."""
    # Held and confirmed: by the follower, by enough attendees, or by a coordinator.
    sessions = Q(
        kind__in=[ContributionKind.SESSION_HELD, ContributionKind.GROUP_SESSION],
        confirmed_at__isnull=False,
    )
    used = programme.budget - budget_left(programme)
    undecided = [Contribution.Status.REVIEW, Contribution.Status.PENDING]
    # Every count in one pass over the programme's contributions.
    counts = contributions.aggregate(
        sessions=Count("id", filter=sessions),
        hours=Sum("hours", filter=sessions),
        accepted_answers=Count("id", filter=Q(kind=ContributionKind.ACCEPTED_ANSWER)),
        to_review=Count("id", filter=Q(status__in=undecided)),
    )
    return [
        ("sessions", _("Sessions held and confirmed"), counts["sessions"]),
        ("hours", _("Hours of confirmed sessions"), _money(counts["hours"])),
        ("accepted_answers", _("Accepted answers"), counts["accepted_answers"]),
        ("budget", _("Budget"), _money(programme.budget)),
        ("used", _("Budget used"), _money(used)),
        ("left", _("Budget left"), _money(programme.budget - used)),
        ("to_review", _("Waiting for a decision"), counts["to_review"]),
    ]


def _credited(programme) -> QuerySet[Contribution]:
    return Contribution.objects.filter(programme=programme, status__in=CREDITED)


@compiled_read()
def _credited_by_cluster(p):
    credited = _credited(p.programme).values("cluster")
    return credited.annotate(n=Count("id"), total=Sum("amount")).values_list(
        "cluster", "n", "total"
    )


def _by_cluster(programme: Programme, clusters: list) -> Table:
    table = Table(
        "clusters", _("Credits by cluster"), [_("Cluster"), _("Contributions"), _("Credited")]
    )
    totals = {
        cluster: (n, total) for cluster, n, total in _credited_by_cluster(programme=programme.pk)
    }
    for cluster in clusters:
        n, total = totals.get(cluster.pk, (0, None))
        table.rows.append([cluster.name, n, _money(total)])
    table.chart = Chart([r[0] for r in table.rows], {_("Credited"): [r[2] for r in table.rows]})
    return table


@compiled_read()
def _credited_by_member(p):
    return (
        _credited(p.programme)
        .values("actor", "actor__profile__display_name")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("-total", "actor__profile__display_name", "actor")
        .values_list("actor", "actor__profile__display_name", "n", "total")
    )


def _by_member(programme: Programme) -> Table:
    table = Table(
        "members", _("Credits by member"), [_("Member"), _("Contributions"), _("Credited")]
    )
    for actor, name, n, total in _credited_by_member(programme=programme.pk):
        # The name members show each other; never their e-mail address.
        table.rows.append([name or f"#{actor}", n, _money(total)])
    return table


def _by_month(programme: Programme) -> Table:
    table = Table("months", _("Credits by month"), [_("Month"), _("Credited"), _("Reversed")])
    months: dict = {}
    for month, kind, total in _posted_by_month(programme=programme.pk):
        key = month.strftime("%Y-%m")
        months.setdefault(key, {"credit": Decimal("0"), "reversal": Decimal("0")})
        months[key][kind] = total
    for key, amounts in months.items():
        table.rows.append([key, _money(amounts["credit"]), _money(amounts["reversal"])])
    table.chart = Chart(
        [row[0] for row in table.rows],
        {_("Credited"): [r[1] for r in table.rows], _("Reversed"): [r[2] for r in table.rows]},
    )
    return table


@compiled_read()
def _posted_by_month(p):
    # Months in the reader's time zone: a compiled read keeps a statement per zone.
    return (
        LedgerEntry.objects.filter(
            programme=p.programme, kind__in=[LedgerEntry.Kind.CREDIT, LedgerEntry.Kind.REVERSAL]
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month", "kind")
        .annotate(total=Sum("amount"))
        .order_by("month")
        .values_list("month", "kind", "total")
    )


@compiled_read()
def _reported_by_kind(p):
    # Reported and credited in one query: what is credited is among what was reported.
    reported = Contribution.objects.filter(programme=p.programme).values("kind")
    credited = Sum("amount", filter=Q(status__in=CREDITED))
    return reported.annotate(n=Count("id"), t=credited).values_list("kind", "n", "t")


def _by_kind(programme: Programme) -> Table:
    table = Table("kinds", _("Contributions by kind"), [_("Kind"), _("Reported"), _("Credited")])
    kinds = dict(ContributionKind.choices)
    for kind, n, total in sorted(_reported_by_kind(programme=programme.pk)):
        table.rows.append([str(kinds.get(kind, kind)), n, _money(total)])
    return table


@compiled_read()
def _clusters_of(p):
    return Cluster.objects.filter(programmes=p.programme).order_by("name")


def build(programme: Programme) -> Dashboard:
    clusters = _clusters_of(programme=programme.pk)
    contributions = Contribution.objects.filter(programme=programme)
    sections = programme_sections.for_programme(programme, clusters=clusters)
    # One set of numbers for the cards, the summary table and its CSV: the sections' first.
    figures = [
        *((figure.key, figure.label, figure.value) for s in sections for figure in s.figures),
        *_own_figures(programme, contributions),
    ]
    summary = Table("summary", _("Programme in figures"), [_("Figure"), _("Value")])
    summary.rows = [[label, value] for _key, label, value in figures]
    own = [
        summary,
        _by_cluster(programme, clusters),
        _by_member(programme),
        _by_month(programme),
        _by_kind(programme),
    ]
    section_tables = [table for section in sections for table in section.tables]
    return Dashboard(
        programme=programme,
        figures={key: value for key, _label, value in figures},
        tables={table.key: table for table in [*own, *section_tables]},
        section_tables=section_tables,
    )
