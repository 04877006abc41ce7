"""The export outcomes and impact estimates in the agencies' JSON API, as typed numbers (never
formatted text).

Plugged into incentives' API from this app's ready(): the API's home knows nothing of it.
"""

import datetime

from ninja import Router, Schema

from evidence import design, evaluations, naive
from incentives.api import PROGRAMME_REFUSALS
from incentives.selectors import programme_for

router = Router(tags=["impact"])


class SurvivalOut(Schema):
    years: int  # after the firm's first export
    survived: int  # firms that exported again that year
    eligible: int  # firms whose year has come
    rate: float | None  # survived / eligible, from 0 to 1; null while no firm is eligible


class OutcomeOut(Schema):
    group: str  # mentored or not_mentored
    firms: str  # the group's name, as the programme page shows it
    count: int  # firms in the group
    entered: int  # firms that have exported
    entered_rate: float | None  # entered / count, from 0 to 1; null for an empty group
    survival: list[SurvivalOut]  # one per year after the first export: 1, 2 and 3
    product_market_pairs: int
    customs_firm_years: int  # firm-years counted from the agency's customs records
    self_reported_firm_years: int  # firm-years counted from what the firms reported


@router.get(
    "/programmes/{programme_id}/outcomes",
    response={200: list[OutcomeOut], **PROGRAMME_REFUSALS},
)
def list_outcomes(request, programme_id: int):
    """Export outcomes of mentored firms beside the clusters' other followers' firms (the naive
    comparison the impact estimate corrects): from the agency's customs records where they
    cover a firm linked to its registry, from what the firms reported otherwise."""
    programme = programme_for(request.user, programme_id)
    groups = naive.compare(
        list(programme.clusters.values_list("pk", flat=True)), agency_id=programme.agency_id
    )
    return [
        OutcomeOut(
            group=group.key,
            firms=str(group.label),
            count=group.outcome.firms,
            entered=group.outcome.entered,
            entered_rate=naive.rate(group.outcome.entered, group.outcome.firms),
            survival=[
                SurvivalOut(
                    years=years,
                    survived=survived,
                    eligible=eligible,
                    rate=naive.rate(survived, eligible),
                )
                for years, (survived, eligible) in sorted(group.outcome.survival.items())
            ],
            product_market_pairs=group.outcome.pairs,
            customs_firm_years=group.from_customs,
            self_reported_firm_years=group.self_reported,
        )
        for group in groups
    ]


class ImpactOut(Schema):
    outcome: str
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n_treated: int
    n_comparison: int
    pre_trend_p: float | None
    mde: float | None
    inconclusive: bool
    comparison_group: str
    data_as_of: datetime.date | None


def _as_of(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


@router.get(
    "/programmes/{programme_id}/impact",
    response={200: list[ImpactOut], **PROGRAMME_REFUSALS},
)
def programme_impact(request, programme_id: int, comparison: str = design.DEFAULT_COMPARISON):
    """The latest computed estimates, one per outcome; empty until an officer computes them.

    comparison: never_treated (the default) or not_yet_treated.
    """
    programme = programme_for(request.user, programme_id)
    if comparison not in design.COMPARISONS:
        comparison = design.DEFAULT_COMPARISON
    evaluation = evaluations.latest(programme, comparison)
    if evaluation is None or evaluation.status != evaluation.Status.DONE:
        return []
    as_of = _as_of(evaluation.coverage.get("as_of"))
    return [
        ImpactOut(
            outcome=outcome,
            estimate=None if result["inconclusive"] else result["overall"]["estimate"],
            se=result["overall"]["se"],
            ci_low=None if result["inconclusive"] else result["overall"]["ci_low"],
            ci_high=None if result["inconclusive"] else result["overall"]["ci_high"],
            n_treated=result["n_treated"],
            n_comparison=result["n_comparison"],
            pre_trend_p=result["pre_trend_p"],
            mde=result["mde"],
            inconclusive=result["inconclusive"],
            comparison_group=comparison,
            data_as_of=as_of,
        )
        for outcome, result in evaluation.results.items()
        if "error" not in result
    ]
