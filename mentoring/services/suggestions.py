"""Mentors shown to a follower. Showing is what reserves: a mentor is never shown to more
followers than they have places, so each mentor shown is recorded for a week (a Suggestion)
and counts against their places while the follower decides. That is why a page showing
suggestions writes: the record of who was shown whom is the rule's only memory."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from mentoring.models import MentorOffer, Suggestion
from mentoring.scoring import Match
from mentoring.selectors.matching import active_cluster_ids, ranked_mentors, shown_to_others
from network.models import User

SUGGESTION_LIFETIME = timedelta(days=7)
SUGGESTIONS_SHOWN = 5


@dataclass
class Suggested:
    offer: MentorOffer
    match: Match
    can_request: bool  # False when the mentor's cluster must be joined first


# Its own transaction when called alone (a page); inside a caller's transaction, part of it:
# no savepoint, since no caller recovers from a failure here and goes on.
@transaction.atomic(savepoint=False)
def reserve_suggestions(*, follower: User, limit: int = SUGGESTIONS_SHOWN) -> list[Suggested]:
    """The best mentors for this follower among those with a place not yet shown to other
    followers, each held for the follower for a week (renewed at every showing)."""
    cluster_ids = active_cluster_ids(follower)
    ranked = ranked_mentors(follower, cluster_ids)

    # Lock the offers we might show so two followers cannot both take the last place.
    ids = [offer.pk for _, offer in ranked]
    list(MentorOffer.objects.filter(pk__in=ids).order_by("pk").select_for_update())
    others = shown_to_others(ids, besides=follower)
    chosen = [
        Suggested(offer=offer, match=match, can_request=offer.cluster_id in cluster_ids)
        for match, offer in ranked
        if others.get(offer.pk, 0) < offer.open_places
    ][:limit]

    Suggestion.objects.filter(follower=follower).exclude(
        offer_id__in=[s.offer.pk for s in chosen]
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
