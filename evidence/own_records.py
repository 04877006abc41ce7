"""What a firm's own people see of the customs records agencies hold of it: for each agency that
confirmed the link, per year, the records, and where they differ from what the firm reported."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.http import Http404

from evidence.links import standing
from evidence.models import ConfirmedLink, CustomsRecord, ImportBatch
from incentives.selectors import agency_of
from mentoring.selectors.outcomes import exports_of
from network.models import Organization, User

IMPORTED = ImportBatch.Status.IMPORTED
RECORDS_SHOWN = 200  # of the chosen year; the year's figures count them all


@dataclass(frozen=True)
class Year:
    year: int
    fob_usd: Decimal
    products: int  # HS6
    destinations: int
    records: int


@dataclass(frozen=True)
class Trade:
    """Products (HS codes) and countries of one year, from one source."""

    products: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Difference:
    """One year where the agency's records and the firm's own reports disagree."""

    year: int
    in_customs: bool  # exported, by the agency's records
    reported: bool  # exported, by the firm's reports
    products_unreported: list[str]  # HS4 in the records, not in the firm's reports
    products_not_in_customs: list[str]  # codes reported, no record under them
    countries_unreported: list[str]
    countries_not_in_customs: list[str]


@dataclass
class Holder:
    """One agency's records of the firm."""

    link: ConfirmedLink
    as_of: datetime.date | None
    years: list[Year]
    year: int | None  # whose records are listed
    records: list[CustomsRecord]
    differences: list[Difference] = field(default_factory=list)

    @property
    def more(self) -> int:
        shown = next((y.records for y in self.years if y.year == self.year), 0)
        return max(shown - len(self.records), 0)


def viewable(viewer: User, organization_id: int) -> tuple[Organization, list[ConfirmedLink], bool]:
    """The firm, the confirmations the viewer may read, and whether the viewer is its own.

    Its people read every agency's; an officer only their agency's, once it confirmed the
    link. Anyone else, 404.
    """
    organization = Organization.objects.filter(
        pk=organization_id, kind=Organization.Kind.FIRM
    ).first()
    if organization is None:
        raise Http404
    confirmed = list(standing(organization).select_related("agency").order_by("agency__name"))
    profile = getattr(viewer, "profile", None)
    if profile is not None and profile.organization_id == organization.pk:
        return organization, confirmed, True
    agency = agency_of(viewer)
    mine = [link for link in confirmed if agency is not None and link.agency_id == agency.pk]
    if not mine:
        raise Http404
    return organization, mine, False


def differences(
    customs: dict[int, Trade], reported: dict[int, Trade], years: Iterable[int]
) -> list[Difference]:
    """Years, newest first, where the records and the reports differ. A reported chapter
    (2 digits) covers the headings under it."""
    found = []
    for year in sorted(set(years), reverse=True):
        seen, told = customs.get(year, Trade()), reported.get(year, Trade())
        difference = Difference(
            year=year,
            in_customs=bool(seen.products),
            reported=bool(told.products),
            products_unreported=sorted(
                code
                for code in seen.products
                if code not in told.products and code[:2] not in told.products
            ),
            products_not_in_customs=sorted(
                code
                for code in told.products
                if not any(seen_code.startswith(code) for seen_code in seen.products)
            ),
            countries_unreported=sorted(seen.countries - told.countries),
            countries_not_in_customs=sorted(told.countries - seen.countries),
        )
        if (
            difference.in_customs != difference.reported
            or difference.products_unreported
            or difference.products_not_in_customs
            or difference.countries_unreported
            or difference.countries_not_in_customs
        ):
            found.append(difference)
    return found


def _traded(rows: Iterable[tuple[int, str, str]]) -> dict[int, Trade]:
    """(year, code, country) rows as each year's trade."""
    by_year: dict[int, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for year, code, country in rows:
        by_year[year][0].add(code)
        by_year[year][1].add(country)
    return {year: Trade(frozenset(p), frozenset(c)) for year, (p, c) in by_year.items()}


def _reported(organization: Organization) -> dict[int, Trade]:
    exports = exports_of([organization.pk]).get(organization.pk, [])
    return _traded((export.year, export.hs_code, export.country) for export in exports)


def _coverage(agency_id: int) -> tuple[datetime.date | None, set[int]]:
    """When the agency's customs data was last imported, and the years it covers."""
    batches = ImportBatch.objects.filter(
        agency_id=agency_id, kind=ImportBatch.Kind.CUSTOMS, status=IMPORTED
    ).values_list("imported_at", "totals")
    latest, years = None, set()
    for imported_at, totals in batches:
        if imported_at and (latest is None or imported_at > latest):
            latest = imported_at
        years |= {int(year) for year in totals}
    return (latest.date() if latest else None), years


def _holder(link: ConfirmedLink, year: int | None, reported: dict[int, Trade] | None) -> Holder:
    mine = CustomsRecord.objects.filter(
        agency_id=link.agency_id, scheme=link.scheme, tax_id=link.tax_id, batch__status=IMPORTED
    )
    years = [
        Year(row["year"], row["fob"], row["products"], row["destinations"], row["records"])
        for row in mine.values("year")
        .annotate(
            fob=Sum("fob_usd"),
            products=Count("hs6", distinct=True),
            destinations=Count("destination", distinct=True),
            records=Count("id"),
        )
        .order_by("-year")
    ]
    as_of, covered = _coverage(link.agency_id)
    chosen = year if year in {y.year for y in years} else (years[0].year if years else None)
    records = []
    if chosen is not None:
        records = list(
            mine.filter(year=chosen).order_by("month", "tariff_code", "destination", "id")[
                :RECORDS_SHOWN
            ]
        )
    holder = Holder(link=link, as_of=as_of, years=years, year=chosen, records=records)
    if reported is not None:
        headings = mine.annotate(hs4=Substr("hs6", 1, 4))
        seen = _traded(headings.values_list("year", "hs4", "destination").distinct())
        holder.differences = differences(seen, reported, covered | set(seen))
    return holder


def holders(
    organization: Organization,
    confirmed: list[ConfirmedLink],
    *,
    year: int | None = None,
    with_reports: bool = False,
) -> list[Holder]:
    """Each confirming agency's records; the differences with the firm's reports only when
    asked (its own people: an agency never reads a firm's reports one by one)."""
    reported = _reported(organization) if with_reports and confirmed else None
    return [_holder(link, year, reported) for link in confirmed]
