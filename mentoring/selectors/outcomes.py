"""Export records, and the outcomes of the firms mentored in a cluster (derived by the pure
functions of mentoring.outcomes)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby, repeat
from operator import itemgetter

from django.db.models import Count, Exists, Min, OuterRef, QuerySet

from core.compiled import compiled_read
from mentoring.models import ExportRecord, Pairing
from mentoring.outcomes import CohortOutcome, Export, FirmOutcome, cohort, derive
from network.models import Membership, Organization, Profile

Status = Pairing.Status
MENTORED = [Status.ACTIVE, Status.COMPLETED, Status.ENDED]


def export_records(organization: Organization) -> QuerySet[ExportRecord]:
    return organization.export_records.all()


def exports_of(organization_ids: Iterable[int]) -> dict[int, list[Export]]:
    found: dict[int, list[Export]] = defaultdict(list)
    firms = list(organization_ids)
    for org_id, year, code, country in _exports(firms=firms) if firms else ():
        found[org_id].append(Export(year, code, str(country)))
    return found


@compiled_read()
def _exports(p):
    records = ExportRecord.objects.filter(organization_id__in=p.many("firms"))
    return records.values_list("organization_id", "year", "hs_code", "country")


def firm_outcomes(organizations: list[Organization], *, as_of: int) -> dict[int, FirmOutcome]:
    exports = exports_of(org.pk for org in organizations)
    return {org.pk: derive(exports.get(org.pk, []), as_of=as_of) for org in organizations}


def cohort_of(organizations: QuerySet[Organization], *, as_of: int) -> CohortOutcome:
    """The totals of every firm in the query, in two queries whatever the cohort's size.

    Records are read firm by firm from one ordered stream, so memory holds one firm's
    records at a time, not the whole cohort's.
    """
    firms = organizations.count()
    rows = (
        ExportRecord.objects.filter(organization__in=organizations.values("pk"))
        .order_by("organization_id")
        .values_list("organization_id", "year", "hs_code", "country")
        .iterator(chunk_size=2000)
    )

    def each_firm() -> Iterator[FirmOutcome]:
        exporting = 0
        for _org_id, records in groupby(rows, key=itemgetter(0)):
            exporting += 1
            yield derive(
                [Export(year, code, str(country)) for _, year, code, country in records],
                as_of=as_of,
            )
        yield from repeat(derive([], as_of=as_of), max(firms - exporting, 0))

    return cohort(each_firm())


def mentored_firms(cluster) -> QuerySet[Organization]:
    """Firms of the followers mentored in this cluster: the cohort whose outcomes we report.

    Not evaluated: the page reads it a page at a time and totals it without loading it all.
    """
    mentored = Pairing.objects.filter(cluster=cluster, status__in=MENTORED).values("follower_id")
    return Organization.objects.filter(
        Exists(Profile.objects.filter(organization=OuterRef("pk"), user_id__in=mentored))
    ).order_by("name", "id")


def mentored_and_other_firms(
    cluster_ids, *, fields: tuple[str, ...] = ()
) -> tuple[list[Organization], list[Organization]]:
    """Firms of followers mentored in these clusters, and firms of their other followers;
    with `fields`, each firm read with those columns only (and its name, their order)."""
    clusters = list(cluster_ids)
    if not clusters:
        return [], []
    mentored = _mentored_firms(clusters=clusters, fields=tuple(fields))
    others = _other_firms(
        clusters=clusters, mentored=[firm.pk for firm in mentored], fields=tuple(fields)
    )
    return mentored, others


def _firms(fields: tuple[str, ...]) -> QuerySet[Organization]:
    return Organization.objects.only("name", *fields) if fields else Organization.objects.all()


@compiled_read(shape=("fields",))
def _mentored_firms(p, *, fields: tuple[str, ...]):
    mentored = Pairing.objects.filter(cluster_id__in=p.many("clusters"), status__in=MENTORED)
    firms = _firms(fields).filter(people__user__in=mentored.values("follower_id"))
    return firms.distinct().order_by("name")


@compiled_read(shape=("fields",))
def _other_firms(p, *, fields: tuple[str, ...]):
    followers = Membership.objects.followers().filter(cluster_id__in=p.many("clusters"))
    return (
        _firms(fields)
        .filter(people__user__in=followers.values("user_id"), kind=Organization.Kind.FIRM)
        .exclude(pk__in=p.many("mentored"))
        .distinct()
        .order_by("name")
    )


def first_pairing_starts(cluster_ids) -> dict[int, datetime.datetime]:
    """When each firm's people first started being mentored in these clusters, by firm id."""
    rows = (
        Pairing.objects.filter(
            cluster_id__in=cluster_ids, status__in=MENTORED, started_at__isnull=False
        )
        .exclude(follower__profile__organization=None)
        .values("follower__profile__organization")
        .annotate(first=Min("started_at"))
    )
    return {row["follower__profile__organization"]: row["first"] for row in rows}


def participation(cluster_ids) -> dict[str, int]:
    """Mentors and followers in active pairings in these clusters."""
    active = Pairing.objects.filter(cluster_id__in=cluster_ids, status=Status.ACTIVE)
    return active.aggregate(
        mentors=Count("mentor_id", distinct=True),
        followers=Count("follower_id", distinct=True),
        pairings=Count("id"),
    )
