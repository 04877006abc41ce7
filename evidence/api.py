"""The impact estimates in the agencies' JSON API, as typed numbers (never formatted text).

Plugged into incentives' API from this app's ready(): the API's home knows nothing of it.
"""

import datetime

from ninja import Router, Schema

from evidence import estimate, evaluations
from incentives.api import PROGRAMME_REFUSALS
from incentives.selectors import programme_for

router = Router(tags=["impact"])


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
def programme_impact(request, programme_id: int, comparison: str = estimate.DEFAULT_COMPARISON):
    """The latest computed estimates, one per outcome; empty until an officer computes them.

    comparison: never_treated (the default) or not_yet_treated.
    """
    programme = programme_for(request.user, programme_id)
    if comparison not in estimate.COMPARISONS:
        comparison = estimate.DEFAULT_COMPARISON
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
