"""Export outcomes derived from firms' yearly export records: pure functions over plain
dataclasses (mentoring.selectors.outcomes reads the records).

Entry is the year of a firm's first export; survival means exporting again 1, 2 and 3 years
after entry; diversification counts distinct product-market pairs and the new ones each year.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

SURVIVAL_YEARS = (1, 2, 3)


@dataclass(frozen=True)
class Export:
    year: int
    hs_code: str
    country: str


@dataclass
class FirmOutcome:
    entry_year: int | None
    # years after entry -> exported that year; None when that year has not come yet.
    survived: dict[int, bool | None]
    pairs: int
    new_pairs_by_year: dict[int, int]

    @property
    def entered(self) -> bool:
        return self.entry_year is not None


def derive(exports: Iterable[Export], *, as_of: int) -> FirmOutcome:
    """One firm's outcomes from its records, judged in year `as_of` (later years unknown)."""
    exports = [e for e in exports if e.year <= as_of]
    years = {e.year for e in exports}
    entry = min(years) if years else None
    survived = {
        n: (None if entry is None or entry + n > as_of else (entry + n) in years)
        for n in SURVIVAL_YEARS
    }
    seen: set[tuple[str, str]] = set()
    new_by_year: dict[int, int] = {}
    for year in sorted(years):
        pairs = {(e.hs_code, e.country) for e in exports if e.year == year}
        new = pairs - seen
        if new:
            new_by_year[year] = len(new)
        seen |= pairs
    return FirmOutcome(
        entry_year=entry, survived=survived, pairs=len(seen), new_pairs_by_year=new_by_year
    )


@dataclass
class CohortOutcome:
    firms: int = 0
    entered: int = 0
    # years after entry -> (firms that survived, firms whose year has come)
    survival: dict[int, tuple[int, int]] = field(default_factory=dict)
    pairs: int = 0
    new_pairs_by_year: dict[int, int] = field(default_factory=dict)

    def survival_rate(self, years: int) -> float | None:
        survived, eligible = self.survival.get(years, (0, 0))
        return survived / eligible if eligible else None


def cohort(outcomes: Iterable[FirmOutcome]) -> CohortOutcome:
    total = CohortOutcome(survival={n: (0, 0) for n in SURVIVAL_YEARS})
    new_by_year: dict[int, int] = defaultdict(int)
    for firm in outcomes:
        total.firms += 1
        total.entered += firm.entered
        total.pairs += firm.pairs
        for n, result in firm.survived.items():
            if result is not None:
                survived, eligible = total.survival[n]
                total.survival[n] = (survived + result, eligible + 1)
        for year, count in firm.new_pairs_by_year.items():
            new_by_year[year] += count
    total.new_pairs_by_year = dict(sorted(new_by_year.items()))
    return total
