"""A score per dimension from the points chosen: pure functions over plain data.

Each question counts its chosen points over the most its choices give, times its weight; a
dimension's score is that weighted share, 0 to 100. Strongest and weakest follow from it.
"""

from dataclasses import dataclass

from readiness import dimensions


@dataclass(frozen=True)
class Scored:
    dimension: str
    weight: int
    points: int  # chosen
    best: int  # the most any of its choices gives


def dimension_scores(answers: list[Scored]) -> dict[str, int]:
    """0..100 per dimension that has questions with points to give, in the fixed order."""
    got: dict[str, float] = {}
    most: dict[str, float] = {}
    for answer in answers:
        if answer.best <= 0:
            continue
        got[answer.dimension] = got.get(answer.dimension, 0) + answer.weight * answer.points
        most[answer.dimension] = most.get(answer.dimension, 0) + answer.weight * answer.best
    return {
        code: round(100 * got[code] / most[code]) for code in dimensions.CODES if most.get(code)
    }


def weakest(scores: dict[str, int]) -> list[str]:
    """The lowest dimensions under the weak line, lowest first (ties in the fixed order)."""
    order = {code: i for i, code in enumerate(dimensions.CODES)}
    low = sorted(
        (code for code, score in scores.items() if score < dimensions.WEAK_BELOW),
        key=lambda code: (scores[code], order[code]),
    )
    return low[: dimensions.MAX_WEAK]


def strongest(scores: dict[str, int]) -> list[str]:
    order = {code: i for i, code in enumerate(dimensions.CODES)}
    weak = set(weakest(scores))
    high = sorted(
        (code for code in scores if code not in weak),
        key=lambda code: (-scores[code], order[code]),
    )
    return high[: dimensions.MAX_STRONG]
