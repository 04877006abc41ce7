"""An agency's programmes and clusters side by side, for dates the officer chooses: what each
programme credited and for whom, and what each cluster earned under which programme.

Only the officer's own agency's programmes; a fixed number of queries however many
programmes, clusters and contributions there are.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from incentives.models import Contribution, Programme
from incentives.selectors.ledger import CENT
from network.models import Cluster

CREDITED = [Contribution.Status.CREDITED, Contribution.Status.CAPPED]
UNDECIDED = [Contribution.Status.REVIEW, Contribution.Status.PENDING]


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        after = self.end + datetime.timedelta(days=1)
        return start, datetime.datetime.combine(after, datetime.time.min, tzinfo=zone)


def default_period() -> Period:
    today = timezone.localdate()
    return Period(start=today.replace(month=1, day=1), end=today)


@dataclass
class ProgrammeRow:
    programme: Programme
    running: bool  # the programme's own dates overlap the period
    contributions: int
    credited: Decimal
    members: int
    undecided: int


@dataclass
class ClusterRow:
    cluster: Cluster
    cells: list[tuple[int, Decimal] | None]  # per programme: (contributions, credited), or None
    contributions: int  # credited amounts are not added up: programmes count in their own units


@dataclass
class Overview:
    period: Period
    programmes: list[ProgrammeRow]
    clusters: list[ClusterRow]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def overview(programmes: QuerySet[Programme], period: Period) -> Overview:
    programmes = list(programmes.prefetch_related("clusters").order_by("starts_on", "name", "pk"))
    start, end = period.bounds()
    within = Contribution.objects.filter(
        programme__in=programmes, occurred_at__gte=start, occurred_at__lt=end
    )
    credited = Q(status__in=CREDITED)
    per_programme = {
        row["programme"]: row
        for row in within.values("programme").annotate(
            n=Count("pk"),
            total=Sum("amount", filter=credited),
            members=Count("actor", filter=credited, distinct=True),
            undecided=Count("pk", filter=Q(status__in=UNDECIDED)),
        )
    }
    per_cell = {
        (row["programme"], row["cluster"]): row
        for row in within.values("programme", "cluster").annotate(
            n=Count("pk"), total=Sum("amount", filter=credited)
        )
    }
    programme_rows = []
    for programme in programmes:
        row = per_programme.get(programme.pk, {})
        programme_rows.append(
            ProgrammeRow(
                programme=programme,
                running=programme.starts_on <= period.end and programme.ends_on >= period.start,
                contributions=row.get("n", 0),
                credited=_money(row.get("total")),
                members=row.get("members", 0),
                undecided=row.get("undecided", 0),
            )
        )
    clusters = sorted(
        {cluster.pk: cluster for p in programmes for cluster in p.clusters.all()}.values(),
        key=lambda cluster: (cluster.name, cluster.pk),
    )
    cluster_rows = []
    for cluster in clusters:
        cells = []
        for programme in programmes:
            if not any(c.pk == cluster.pk for c in programme.clusters.all()):
                cells.append(None)
                continue
            row = per_cell.get((programme.pk, cluster.pk), {})
            cells.append((row.get("n", 0), _money(row.get("total"))))
        covered = [cell for cell in cells if cell is not None]
        cluster_rows.append(
            ClusterRow(
                cluster=cluster,
                cells=cells,
                contributions=sum(n for n, _total in covered),
            )
        )
    return Overview(period=period, programmes=programme_rows, clusters=cluster_rows)
