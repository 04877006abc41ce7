"""Callaway & Sant'Anna staggered difference-in-differences over a firm x year panel.

Pure functions over a pandas frame (columns: firm, year, first_treat with 0 for firms never
treated, the outcomes, and the covariates as text), computed by diff-diff's doubly robust
estimator with a multiplier bootstrap clustered by firm. Reported beside it: the naive
mentored-against-not difference, a joint test of the pre-treatment event-study effects, and
the minimum detectable effect, from which a result is called inconclusive.
"""

import warnings
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from diff_diff import CallawaySantAnna
from scipy import stats

from evidence.design import COMPARISONS, DEFAULT_COMPARISON, MIN_CELL

# The smallest effect worth detecting for each outcome: supported firms are 6 to 11 points
# more likely to survive in exporting (Van Biesebroeck, Konings & Volpe Martincus 2016).
PLAUSIBLE = {
    "exported": 0.10,
    "ihs_fob": 0.50,
    "products": 0.50,
    "destinations": 0.30,
    "pairs": 0.75,
    "new_pair": 0.10,
    "survival": 0.10,
}
COVARIATES = ("sector", "region", "size")
EVENT_TIMES = range(-4, 5)
PRE_TIMES = (-4, -3, -2)  # -1 is the reference year
RARE = 10  # covariate values held by fewer firms are pooled as "other"
POWER, ALPHA = 0.80, 0.05


class CannotEstimate(Exception):
    """The panel cannot support an estimate; the message says why."""


@dataclass
class Effect:
    label: str | int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int | None = None


@dataclass
class Result:
    outcome: str
    comparison: str
    overall: Effect
    n_treated: int
    n_comparison: int
    pre_trend_p: float | None
    mde: float
    naive: float
    inconclusive: bool
    cohorts: list[Effect] = field(default_factory=list)
    event_study: list[Effect] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _dummies(panel: pd.DataFrame, covariates: tuple[str, ...]) -> tuple[pd.DataFrame, list]:
    """Text covariates as 0/1 columns, rare values pooled, constant ones dropped."""
    firms = panel.drop_duplicates("firm")
    columns = []
    for name in covariates:
        counts = firms[name].fillna("").value_counts()
        common = set(counts[counts >= RARE].index)
        values = panel[name].fillna("").where(panel[name].fillna("").isin(common), "other")
        for value in sorted(set(values))[1:]:
            column = f"{name}={value}"
            panel[column] = (values == value).astype(float)
            columns.append(column)
    return panel, columns


def _effect(row, label, n=None) -> Effect:
    return Effect(
        label=label,
        estimate=float(row["att"]),
        se=float(row["se"]),
        ci_low=float(row["conf_int_lower"]),
        ci_high=float(row["conf_int_upper"]),
        n=n,
    )


def naive_difference(panel: pd.DataFrame, outcome: str) -> float:
    """Mentored firms after their start against never-mentored firms in the same years."""
    treated = panel[(panel.first_treat > 0) & (panel.year >= panel.first_treat)]
    if treated.empty:
        return float("nan")
    never = panel[(panel.first_treat == 0) & (panel.year >= treated.year.min())]
    return float(treated[outcome].mean() - never[outcome].mean())


def _pre_trend_p(event_study) -> float | None:
    index = list(event_study.vcov_index) if event_study.vcov is not None else []
    picks = [index.index(e) for e in PRE_TIMES if e in index]
    if not picks:
        return None
    frame = event_study.to_dataframe().set_index("event_time")
    effects = frame.loc[[index[i] for i in picks], "att"].to_numpy(float)
    vcov = np.asarray(event_study.vcov)[np.ix_(picks, picks)]
    wald = float(effects @ np.linalg.pinv(vcov) @ effects)
    return float(stats.chi2.sf(wald, df=len(picks)))


def estimate(
    panel: pd.DataFrame,
    *,
    outcome: str,
    comparison: str = DEFAULT_COMPARISON,
    covariates: tuple[str, ...] = COVARIATES,
    n_bootstrap: int = 199,
    seed: int = 0,
) -> Result:
    if comparison not in COMPARISONS:
        raise CannotEstimate(f"unknown comparison {comparison!r}")
    data = panel.dropna(subset=[outcome]).copy()
    n_treated = int(data.loc[data.first_treat > 0, "firm"].nunique())
    n_comparison = int(data.loc[data.first_treat == 0, "firm"].nunique())
    if n_treated < MIN_CELL or (comparison == "never_treated" and n_comparison < MIN_CELL):
        raise CannotEstimate("too few treated or comparison firms")
    data, columns = _dummies(data, covariates)
    model = CallawaySantAnna(
        control_group=comparison,
        estimation_method="dr",
        n_bootstrap=n_bootstrap,
        seed=seed,
        cluster="firm",
        base_period="universal",
        rank_deficient_action="silent",
        allow_unbalanced_panel=outcome == "survival",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model.fit(
            data,
            outcome=outcome,
            unit="firm",
            time="year",
            first_treat="first_treat",
            covariates=columns or None,
        )
        overall = fitted.aggregate("simple").to_dataframe().iloc[0]
        cohorts = fitted.aggregate("group").to_dataframe()
        event_study = fitted.aggregate("event_study")
    sizes = data.drop_duplicates("firm").first_treat.value_counts()
    by_event = event_study.to_dataframe().set_index("event_time")
    overall_effect = _effect(overall, "overall", n_treated)
    mde = float((stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER)) * overall_effect.se)
    return Result(
        outcome=outcome,
        comparison=comparison,
        overall=overall_effect,
        n_treated=n_treated,
        n_comparison=n_comparison,
        pre_trend_p=_pre_trend_p(event_study),
        mde=mde,
        naive=naive_difference(data, outcome),
        inconclusive=not mde <= PLAUSIBLE.get(outcome, 0.1),
        cohorts=[
            _effect(row, int(row["label"]), int(sizes.get(int(row["label"]), 0)))
            for _, row in cohorts.iterrows()
        ],
        event_study=[
            _effect(by_event.loc[e], e)
            for e in EVENT_TIMES
            if e in by_event.index and not by_event.loc[e, "is_reference"]
        ],
    )
