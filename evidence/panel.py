"""The firm x year panel of a programme: every firm in its agency's registry, every year of the
customs data, with zeros for years without exports, and when each firm's support began."""

import numpy as np
import pandas as pd
from django.db.models import Max

from evidence.models import CustomsRecord, ImportBatch, PastParticipant, RegistryFirm
from incentives.selectors import Programme
from mentoring.selectors.outcomes import first_pairing_starts
from network.models import Organization

IMPORTED = ImportBatch.Status.IMPORTED
NEW_PAIR_LOOKBACK = 3  # a pair is new when the firm did not export it in the 3 years before


def _firms(agency_id: int) -> pd.DataFrame:
    rows = RegistryFirm.objects.filter(agency_id=agency_id, is_current=True).values_list(
        "scheme", "tax_id", "sector", "region", "size"
    )
    firms = pd.DataFrame(list(rows), columns=["scheme", "tax_id", "sector", "region", "size"])
    firms["firm"] = np.arange(len(firms))
    return firms


def _customs(agency_id: int, firms: pd.DataFrame) -> pd.DataFrame:
    rows = CustomsRecord.objects.filter(agency_id=agency_id, batch__status=IMPORTED).values_list(
        "scheme", "tax_id", "year", "hs6", "destination", "fob_usd"
    )
    customs = pd.DataFrame(
        list(rows.iterator(chunk_size=20000)),
        columns=["scheme", "tax_id", "year", "hs6", "destination", "fob_usd"],
    )
    customs["fob_usd"] = customs["fob_usd"].astype(float)
    return customs.merge(firms[["scheme", "tax_id", "firm"]], on=["scheme", "tax_id"])


def _starts(programme: Programme, firms: pd.DataFrame) -> pd.Series:
    """The first year of support per firm: its first pairing or its imported start, earliest."""
    keyed = firms.set_index(["scheme", "tax_id"])["firm"]
    years: dict[int, int] = {}

    def earliest(key, year):
        firm = keyed.get(key)
        if firm is not None:
            years[firm] = min(year, years.get(firm, year))

    started = first_pairing_starts(list(programme.clusters.values_list("pk", flat=True)))
    organizations = Organization.objects.filter(pk__in=started).exclude(tax_id="")
    for organization in organizations.only("pk", "tax_id_scheme", "tax_id"):
        earliest((organization.tax_id_scheme, organization.tax_id), started[organization.pk].year)
    past = PastParticipant.objects.filter(agency_id=programme.agency_id, batch__status=IMPORTED)
    for scheme, tax_id, year in past.values_list("scheme", "tax_id", "start_year"):
        earliest((scheme, tax_id), year)
    return pd.Series(years, dtype="int64")


def _new_pairs(customs: pd.DataFrame) -> pd.Series:
    """Per (firm, year): 1 when a product-destination pair was not exported the 3 years before."""
    pairs = customs[["firm", "year", "hs6", "destination"]].drop_duplicates()
    seen = pairs[["firm", "hs6", "destination", "year"]]
    earlier = pairs.merge(seen, on=["firm", "hs6", "destination"], suffixes=("", "_before"))
    window = earlier[
        (earlier.year_before < earlier.year)
        & (earlier.year_before >= earlier.year - NEW_PAIR_LOOKBACK)
    ]
    old = window[["firm", "year", "hs6", "destination"]].drop_duplicates()
    old["old"] = 1
    flagged = pairs.merge(old, how="left", on=["firm", "year", "hs6", "destination"])
    return (flagged["old"].isna()).groupby([flagged.firm, flagged.year]).any().astype(float)


def _as_of(agency_id: int) -> str:
    latest = ImportBatch.objects.filter(agency_id=agency_id, status=IMPORTED).aggregate(
        at=Max("imported_at")
    )["at"]
    return latest.date().isoformat() if latest else ""


def build(programme: Programme) -> tuple[pd.DataFrame, dict]:
    """The panel, and what it covers."""
    firms = _firms(programme.agency_id)
    customs = _customs(programme.agency_id, firms)
    if firms.empty or customs.empty:
        return pd.DataFrame(), {"firms": len(firms), "years": []}
    first, last = int(customs.year.min()), int(customs.year.max())
    grid = pd.MultiIndex.from_product(
        [firms.firm, range(first, last + 1)], names=["firm", "year"]
    ).to_frame(index=False)
    by = customs.groupby(["firm", "year"])
    flows = pd.DataFrame(
        {
            "fob": by.fob_usd.sum(),
            "products": by.hs6.nunique(),
            "destinations": by.destination.nunique(),
            "pairs": customs[["firm", "year", "hs6", "destination"]]
            .drop_duplicates()
            .groupby(["firm", "year"])
            .size(),
            "new_pair": _new_pairs(customs),
        }
    ).reset_index()
    panel = grid.merge(flows, how="left", on=["firm", "year"])
    panel[["fob", "products", "destinations", "pairs", "new_pair"]] = panel[
        ["fob", "products", "destinations", "pairs", "new_pair"]
    ].fillna(0.0)
    panel["exported"] = (panel.fob > 0).astype(float)
    panel["ihs_fob"] = np.arcsinh(panel.fob)
    # New pairs need the 3 years before; survival needs exports the year before.
    panel.loc[panel.year < first + NEW_PAIR_LOOKBACK, "new_pair"] = np.nan
    panel = panel.sort_values(["firm", "year"])
    before = panel.groupby("firm").exported.shift(1)
    panel["survival"] = panel.exported.where(before == 1)
    starts = _starts(programme, firms)
    panel["first_treat"] = panel.firm.map(starts).fillna(0).astype(int)
    # Support begun after the data ends is not seen in it: those firms are untreated here.
    panel.loc[panel.first_treat > last, "first_treat"] = 0
    panel = panel.merge(firms[["firm", "sector", "region", "size"]], on="firm")
    treated = int(panel.loc[panel.first_treat > 0, "firm"].nunique())
    coverage = {
        "firms": len(firms),
        "treated": treated,
        "years": [first, last],
        "as_of": _as_of(programme.agency_id),
    }
    return panel.drop(columns=["fob"]), coverage
