"""Verified exports: where the agency's customs data covers a year of a firm linked to its
registry, the firm's exports that year are the customs records, not what the firm reported.

Self-reported records stay; they count for the years customs does not cover and for firms not
linked to the registry. A linked firm with nothing in customs in a covered year did not export
that year, whatever it reported. A constant number of queries, whatever the number of firms.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models.functions import Substr

from evidence.models import CustomsRecord, ImportBatch, RegistryFirm
from mentoring.outcomes import Export
from mentoring.selectors.outcomes import exports_of
from network.models import Organization

IMPORTED = ImportBatch.Status.IMPORTED
Key = tuple[str, str]  # (tax id scheme, tax id)


@dataclass(frozen=True)
class Coverage:
    years: frozenset[int] = frozenset()
    as_of: datetime.date | None = None  # when the latest customs file was imported


def coverage(agency_id: int | None) -> Coverage:
    """The years the agency's imported customs files span, each from its first year to its last."""
    if agency_id is None:
        return Coverage()
    batches = ImportBatch.objects.filter(
        agency_id=agency_id, kind=ImportBatch.Kind.CUSTOMS, status=IMPORTED
    )
    years: set[int] = set()
    latest = None
    for totals, imported_at in batches.values_list("totals", "imported_at"):
        found = [int(year) for year in totals if str(year).isdigit()]
        if found:
            years.update(range(min(found), max(found) + 1))
        if imported_at and (latest is None or imported_at > latest):
            latest = imported_at
    return Coverage(frozenset(years), latest.date() if latest else None)


@dataclass
class Merged:
    """Each firm's exports, and which firm-years came from where."""

    coverage: Coverage
    exports: dict[int, list[Export]]  # by organization id
    reported: dict[int, list[Export]]  # what each firm reported, all years
    customs: dict[int, list[Export]]  # linked firms only, covered years only
    linked: dict[int, Key] = field(default_factory=dict)
    from_customs: set[tuple[int, int]] = field(default_factory=set)  # (organization, year)
    self_reported: set[tuple[int, int]] = field(default_factory=set)

    def of(self, organization_id: int) -> list[Export]:
        return self.exports.get(organization_id, [])

    def counts(self, organization_ids: Iterable[int]) -> tuple[int, int]:
        """(firm-years from customs, firm-years self-reported) of these firms."""
        ids = set(organization_ids)
        return (
            sum(org in ids for org, _year in self.from_customs),
            sum(org in ids for org, _year in self.self_reported),
        )


def merge(
    reported: dict[int, list[Export]],
    customs: dict[int, list[Export]],
    years: frozenset[int],
    *,
    as_of: int,
) -> tuple[dict[int, list[Export]], set[tuple[int, int]], set[tuple[int, int]]]:
    """Pure: the exports outcomes use, and the (firm, year)s taken from customs and from reports.

    `customs` holds every linked firm, with an empty list when customs has nothing for it.
    """
    exports: dict[int, list[Export]] = {}
    from_customs: set[tuple[int, int]] = set()
    self_reported: set[tuple[int, int]] = set()
    for org in set(reported) | set(customs):
        kept = reported.get(org, [])
        if org in customs:
            kept = [e for e in kept if e.year not in years]
            from_customs |= {(org, year) for year in years if year <= as_of}
        self_reported |= {(org, e.year) for e in kept if e.year <= as_of}
        exports[org] = kept + customs.get(org, [])
    return exports, from_customs, self_reported


# What of a firm links it to the agency's customs records.
FIRM_KEY = ("tax_id_scheme", "tax_id")


def _linked(agency_id: int, organizations: list[Organization]) -> dict[int, Key]:
    keys = {org.pk: (org.tax_id_scheme, org.tax_id) for org in organizations if org.tax_id}
    if not keys:
        return {}
    held = set(
        RegistryFirm.objects.filter(
            agency_id=agency_id, is_current=True, tax_id__in={t for _s, t in keys.values()}
        ).values_list("scheme", "tax_id")
    )
    return {org: key for org, key in keys.items() if key in held}


def _customs(agency_id: int, linked: dict[int, Key], years: frozenset[int]) -> dict[int, list]:
    found: dict[Key, list[Export]] = defaultdict(list)
    rows = (
        CustomsRecord.objects.filter(
            agency_id=agency_id,
            batch__status=IMPORTED,
            tax_id__in={t for _s, t in linked.values()},
            year__in=sorted(years),
        )
        .annotate(hs4=Substr("tariff_code", 1, 4))
        .values_list("scheme", "tax_id", "year", "hs4", "destination")
        .distinct()
    )
    for scheme, tax_id, year, hs4, country in rows:
        found[(scheme, tax_id)].append(Export(year, hs4, country))
    return {org: found.get(key, []) for org, key in linked.items()}


def exports_for(agency_id: int | None, organizations: list[Organization], *, as_of: int) -> Merged:
    """The exports of these firms as outcomes count them, for the agency's programme."""
    reported = exports_of(org.pk for org in organizations)
    covered = coverage(agency_id)
    linked = _linked(agency_id, organizations) if covered.years else {}
    customs = _customs(agency_id, linked, covered.years) if linked else {}
    exports, from_customs, self_reported = merge(reported, customs, covered.years, as_of=as_of)
    return Merged(covered, exports, reported, customs, linked, from_customs, self_reported)
