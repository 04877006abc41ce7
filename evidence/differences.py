"""Where a linked firm's own export records and the agency's customs records disagree, firm-year
by firm-year: for the programme agency's officers only (firm-level customs data).

A linked firm is compared when it reported exports for at least one covered year; each covered
year up to this one where the two differ (exported or not, HS4 products, destinations) is a row.
"""

import csv
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from core.tables import FORMULA_START
from evidence import verified
from incentives.selectors import Programme
from mentoring.outcomes import Export
from mentoring.selectors import outcomes as mentoring
from network.models import Organization


@dataclass(frozen=True)
class Side:
    """What one source shows for a firm-year."""

    products: tuple[str, ...]
    countries: tuple[str, ...]

    @classmethod
    def of(cls, exports: list[Export], year: int) -> "Side":
        those = [e for e in exports if e.year == year]
        return cls(
            tuple(sorted({e.hs_code for e in those})), tuple(sorted({e.country for e in those}))
        )

    @property
    def exported(self) -> bool:
        return bool(self.products)

    def text(self) -> str:
        if not self.exported:
            return _("No exports")
        return _("%(products)s to %(countries)s") % {
            "products": ", ".join(self.products),
            "countries": ", ".join(self.countries),
        }


@dataclass(frozen=True)
class Difference:
    organization: Organization
    year: int
    reported: Side
    customs: Side

    def what(self) -> str:
        """Which of exported, products and destinations differ."""
        if self.reported.exported != self.customs.exported:
            return _("Exported or not")
        parts = []
        if self.reported.products != self.customs.products:
            parts.append(_("Products"))
        if self.reported.countries != self.customs.countries:
            parts.append(_("Destinations"))
        return ", ".join(parts) or _("Product-destination pairs")


@dataclass
class Found:
    coverage: verified.Coverage
    linked: int  # linked firms among the programme's followers' firms
    compared: int  # of them, those that reported exports for a covered year
    rows: list[Difference]

    @property
    def years(self) -> str:
        """The covered years as ranges: "2016-2019, 2021", with an en dash."""
        spans: list[list[int]] = []
        for year in sorted(self.coverage.years):
            if spans and spans[-1][1] == year - 1:
                spans[-1][1] = year
            else:
                spans.append([year, year])
        return ", ".join(str(a) if a == b else f"{a}\N{EN DASH}{b}" for a, b in spans)


def _pairs_by_year(exports: list[Export]) -> dict[int, set[tuple[str, str]]]:
    found: dict[int, set[tuple[str, str]]] = {}
    for e in exports:
        found.setdefault(e.year, set()).add((e.hs_code, e.country))
    return found


def find(merged: verified.Merged, organizations: list[Organization], *, as_of: int) -> Found:
    """Pure over what `verified.exports_for` read: the disagreeing firm-years, by firm name."""
    years = sorted(y for y in merged.coverage.years if y <= as_of)
    rows, compared = [], 0
    for org in organizations:
        if org.pk not in merged.linked:
            continue
        reported, customs = merged.reported.get(org.pk, []), merged.customs[org.pk]
        if not any(e.year in years for e in reported):
            continue
        compared += 1
        said, shown = _pairs_by_year(reported), _pairs_by_year(customs)
        for year in years:
            if said.get(year, set()) != shown.get(year, set()):
                rows.append(Difference(org, year, Side.of(reported, year), Side.of(customs, year)))
    return Found(merged.coverage, len(merged.linked), compared, rows)


def for_programme(programme: Programme) -> Found:
    """The differences among the firms of the programme's clusters' followers."""
    year = timezone.localdate().year
    cluster_ids = list(programme.clusters.values_list("pk", flat=True))
    mentored, others = mentoring.mentored_and_other_firms(cluster_ids)
    firms = sorted({*mentored, *others}, key=lambda org: (org.name, org.pk))
    merged = verified.exports_for(programme.agency_id, firms, as_of=year)
    return find(merged, firms, as_of=year)


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_text(found: Found) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Firm"),
            _("Tax id"),
            _("Year"),
            _("Reported products"),
            _("Reported destinations"),
            _("Customs products"),
            _("Customs destinations"),
            _("Differs in"),
        ]
    )
    for row in found.rows:
        org = row.organization
        writer.writerow(
            [
                _cell(org.name),
                f"{org.tax_id_scheme} {org.tax_id}",
                row.year,
                " ".join(row.reported.products),
                " ".join(row.reported.countries),
                " ".join(row.customs.products),
                " ".join(row.customs.countries),
                row.what(),
            ]
        )
    return out.getvalue()
