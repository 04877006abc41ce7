"""The best assignment of a cohort of followers to mentors: pure functions over the cohort
the selectors read (mentoring.selectors.cohorts), easy to test and to benchmark."""

from dataclasses import dataclass, field

from mentoring.models import MentorOffer
from mentoring.scoring import Match
from network.models import User


@dataclass
class CohortPair:
    follower: User
    offer: MentorOffer | None
    match: Match | None


@dataclass
class Cohort:
    followers: list[User]
    offers: list[MentorOffer]
    # (follower id, offer id) -> Match, for every eligible pair: what the coordinator may pick.
    options: dict[tuple[int, int], Match]
    pairs: list[CohortPair] = field(default_factory=list)
    # More unmatched followers, or more mentors with room, than the draft weighs.
    more_followers: bool = False
    more_mentors: bool = False

    @property
    def total(self) -> int:
        return sum(pair.match.score for pair in self.pairs if pair.match)

    def options_for(self, follower: User) -> list[tuple[MentorOffer, Match]]:
        found = [
            (offer, self.options[(follower.pk, offer.pk)])
            for offer in self.offers
            if (follower.pk, offer.pk) in self.options
        ]
        return sorted(found, key=lambda item: -item[1].score)


def best_assignment(scores: list[list[int | None]], capacities: list[int]) -> list[int | None]:
    """For each follower (row), the mentor (column) maximising the total score.

    None in scores marks a pair that may not be matched. Each mentor takes at most their
    capacity. Solved exactly with the Hungarian method: each mentor is repeated once per
    place, and each follower gets a "no mentor" column worth nothing.
    """
    rows = len(scores)
    if rows == 0:
        return []
    # Loaded on a process's first pairing, not with the app: NumPy and SciPy's solver are
    # about 75 MiB that a server answering sockets and other pages never needs.
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    slots = [mentor for mentor, places in enumerate(capacities) for _ in range(places)]
    forbidden = 1 + sum(max((s or 0) for s in row) if row else 0 for row in scores)
    cost = np.full((rows, len(slots) + rows), float(forbidden))
    for i, row in enumerate(scores):
        for j, mentor in enumerate(slots):
            if row[mentor] is not None:
                cost[i, j] = -row[mentor]
        cost[i, len(slots) + i] = 0.0
    chosen_rows, chosen_cols = linear_sum_assignment(cost)
    result: list[int | None] = [None] * rows
    for i, j in zip(chosen_rows, chosen_cols, strict=True):
        if j < len(slots) and scores[i][slots[j]] is not None:
            result[i] = slots[j]
    return result


def pair_best(cohort: Cohort) -> Cohort:
    """The cohort's pairs set to the assignment with the highest total score under every
    mentor's places (offers carry `open_places`)."""
    followers = cohort.followers
    matrix = [
        [
            match.score if (match := cohort.options.get((user.pk, offer.pk))) else None
            for offer in cohort.offers
        ]
        for user in followers
    ]
    chosen = best_assignment(matrix, [offer.open_places for offer in cohort.offers])
    for user, column in zip(followers, chosen, strict=True):
        offer = cohort.offers[column] if column is not None else None
        match = cohort.options[(user.pk, offer.pk)] if offer else None
        cohort.pairs.append(CohortPair(follower=user, offer=offer, match=match))
    return cohort


def pair_as_chosen(cohort: Cohort, choices: dict[int, int | None]) -> Cohort:
    """The cohort's pairs set as the coordinator chose them: follower id -> offer id (or
    None). A choice the rules exclude leaves the follower without a mentor."""
    offers = {offer.pk: offer for offer in cohort.offers}
    for user in cohort.followers:
        offer = offers.get(choices.get(user.pk) or 0)
        match = cohort.options.get((user.pk, offer.pk)) if offer else None
        cohort.pairs.append(CohortPair(follower=user, offer=offer if match else None, match=match))
    return cohort
