"""A firm x year panel with a known effect of mentoring, and selection into it.

Firm capability raises exports and the chance of being mentored; one sector's exports grow
faster, and its firms are mentored more often. Comparing mentored with other firms therefore
overstates the effect, and so does any estimate that ignores the sector.
"""

import numpy as np
import pandas as pd

FIRST_YEAR = 2015
SECTORS = np.array(["agrifood", "mining", "textiles"])
REGIONS = np.array(["Norte", "Centro", "Sur"])
SIZES = np.array(["micro", "small", "medium"])


def synthetic_panel(
    seed: int,
    *,
    firms: int = 300,
    years: int = 7,
    effect: float = 0.25,
    sector_trend: float = 0.15,
    noise: float = 0.3,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    capability = rng.normal(size=firms)
    sector = rng.choice(SECTORS, firms)
    fast = sector == "mining"
    mentored = rng.random(firms) < 1 / (1 + np.exp(-(1.2 * capability + 1.5 * fast - 1.0)))
    start = FIRST_YEAR + rng.choice([3, 4, 5], firms)
    first_treat = np.where(mentored, start, 0)
    firm = np.repeat(np.arange(firms), years)
    t = np.tile(np.arange(years), firms)
    year = FIRST_YEAR + t
    treated_now = (first_treat[firm] > 0) & (year >= first_treat[firm])
    outcome = (
        2
        + capability[firm]
        + sector_trend * t * fast[firm]
        + effect * treated_now
        + noise * rng.normal(size=firms * years)
    )
    return pd.DataFrame(
        {
            "firm": firm,
            "year": year,
            "first_treat": first_treat[firm],
            "ihs_fob": outcome,
            "sector": sector[firm],
            "region": rng.choice(REGIONS, firms)[firm],
            "size": rng.choice(SIZES, firms)[firm],
        }
    )
