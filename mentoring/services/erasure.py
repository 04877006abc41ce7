"""What an erased member leaves in mentoring (network.erasure sends member_erased): their
words and wishes go; the pairings stay, closed, as the other side's history."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mentoring.models import CalendarFeed, MentoringNeeds, MentorOffer, Pairing, Suggestion
from network.erasure import scrub
from network.models import User


@transaction.atomic
def forget_erased_member(*, user: User, names: Iterable[str]) -> None:
    """What they offered, needed and wrote to a mentor goes.

    Their pairings were already closed as they left each cluster; an offer is kept (its
    pairings point at it) but paused and emptied, so no one is matched with it again.
    Their sessions are dealt with by mentoring.services.sessions.withdraw_erased_member.
    """
    offers = MentorOffer.objects.filter(user=user)
    for offer in offers:
        offer.topics.clear()
    offers.update(
        is_paused=True, pitch="", products=[], markets="", languages=[], updated_at=timezone.now()
    )
    Suggestion.objects.filter(Q(follower=user) | Q(offer__user=user)).delete()
    needs = MentoringNeeds.objects.filter(user=user).first()
    if needs is not None:
        needs.topics.clear()
        needs.delete()
    CalendarFeed.objects.filter(user=user).delete()
    Pairing.objects.filter(follower=user).exclude(message="").update(message="")
    names = list(names)
    # Reasons written when they left a cluster earlier named them.
    for pairing in Pairing.objects.filter(Q(mentor=user) | Q(follower=user)).exclude(
        close_reason=""
    ):
        reason = scrub(pairing.close_reason, names)
        if reason != pairing.close_reason:
            Pairing.objects.filter(pk=pairing.pk).update(close_reason=reason)
