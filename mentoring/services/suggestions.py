"""Mentors shown to a follower. Showing is what reserves: a mentor is never shown to more
followers than they have places, so each mentor shown is recorded for a week (a Suggestion)
and counts against their places while the follower decides. That is why a page showing
suggestions writes: the record of who was shown whom is the rule's only memory. A showing
that changes nothing within the hour of the last renewal writes nothing."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from mentoring.models import MentorOffer, Suggestion
from mentoring.scoring import Match
from mentoring.selectors.matching import (
    active_cluster_ids,
    live_suggestions,
    ranked_mentors,
)
from network.models import User

SUGGESTION_LIFETIME = timedelta(days=7)
# A follower's home and mentoring page show the same suggestions on every visit: renewing them
# at most hourly spares those pages a write transaction (and the table a dead row per mentor
# shown) on nearly every view, and holds a mentor a week from the last showing, give or take
# an hour.
RENEWED_WITHIN = timedelta(hours=1)
SUGGESTIONS_SHOWN = 5


@dataclass
class Suggested:
    offer: MentorOffer
    match: Match
    can_request: bool  # False when the mentor's cluster must be joined first


def reserve_suggestions(*, follower: User, limit: int = SUGGESTIONS_SHOWN) -> list[Suggested]:
    """The best mentors for this follower among those with a place not yet shown to other
    followers, each held for the follower for a week (renewed when shown, at most hourly)."""
    cluster_ids = active_cluster_ids(follower)
    ranked = ranked_mentors(follower, cluster_ids)
    others, mine = live_suggestions([offer.pk for _, offer in ranked], follower=follower)
    chosen = _choose(ranked, others, cluster_ids, limit)
    # Each already held as it would be written, renewed within the hour, and nothing else
    # held: no place is taken from anyone, so neither lock nor write.
    renewed_since = timezone.now() + SUGGESTION_LIFETIME - RENEWED_WITHIN
    unchanged = {pk: (score, reasons) for pk, (score, reasons, _) in mine.items()} == {
        item.offer.pk: (item.match.score, item.match.reasons) for item in chosen
    }
    if unchanged and all(until > renewed_since for *_, until in mine.values()):
        return chosen
    return _reserve(follower=follower, ranked=ranked, cluster_ids=cluster_ids, limit=limit)


def _choose(ranked, others: dict[int, int], cluster_ids, limit: int) -> list[Suggested]:
    return [
        Suggested(offer=offer, match=match, can_request=offer.cluster_id in cluster_ids)
        for match, offer in ranked
        if others.get(offer.pk, 0) < offer.open_places
    ][:limit]


# Its own transaction when called alone (a page); inside a caller's transaction, part of it:
# no savepoint, since no caller recovers from a failure here and goes on.
@transaction.atomic(savepoint=False)
def _reserve(*, follower: User, ranked, cluster_ids, limit: int) -> list[Suggested]:
    # Lock the offers we might show so two followers cannot both take the last place; the
    # same follower's other page, showing the same offers, waits here too.
    ids = [offer.pk for _, offer in ranked]
    list(MentorOffer.objects.filter(pk__in=ids).order_by("pk").select_for_update())
    others, mine = live_suggestions(ids, follower=follower)
    chosen = _choose(ranked, others, cluster_ids, limit)

    # Mentors no longer shown are released, lapsed ones cleared; a first showing has none.
    if set(mine) - {item.offer.pk for item in chosen}:
        Suggestion.objects.filter(follower=follower).exclude(
            offer_id__in=[item.offer.pk for item in chosen]
        ).delete()
    expires = timezone.now() + SUGGESTION_LIFETIME
    # One statement for all: new pairs inserted, pairs shown before renewed.
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                follower=follower,
                offer=item.offer,
                score=item.match.score,
                reasons=item.match.reasons,
                expires_at=expires,
            )
            for item in chosen
        ],
        update_conflicts=True,
        unique_fields=["follower", "offer"],
        update_fields=["score", "reasons", "expires_at"],
    )
    return chosen
