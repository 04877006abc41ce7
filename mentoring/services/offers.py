"""A mentor's offer in a cluster and a follower's needs: what matching weighs."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from core.text import storable
from mentoring.models import MAX_CAPACITY, MentoringNeeds, MentorOffer, Suggestion
from mentoring.selectors.offers import may_offer
from mentoring.services.common import text
from mentoring.services.invitations import accept_invitation
from network.models import Cluster, User
from readiness import dimensions


def _clean_list(values: Iterable[str]) -> list[str]:
    return sorted({storable(str(value)).strip() for value in values if value} - {""})


def _clean_topics(topics: Iterable[str]) -> list[str]:
    # What the offer and needs forms hold, for every caller (taggit keeps 100 characters).
    topics = _clean_list(str(topic).lower() for topic in topics)
    if len(topics) > 10:
        raise DomainError(gettext_lazy("At most 10 topics."))
    if any(len(topic) > 50 for topic in topics):
        raise DomainError(gettext_lazy("Each topic is at most 50 characters."))
    return topics


@transaction.atomic
def save_offer(
    *,
    user: User,
    cluster: Cluster,
    capacity: int,
    products: Iterable[str] = (),
    markets: Iterable[str] = (),
    languages: Iterable[str] = (),
    topics: Iterable[str] = (),
    is_paused: bool = False,
    accepts_competitors: bool = False,
    pitch: str = "",
    strengths: Iterable[str] = (),
) -> MentorOffer:
    pitch, topics = text(pitch, MentorOffer, "pitch"), _clean_topics(topics)
    if not may_offer(user, cluster):
        raise NotAllowed(gettext_lazy("Only the cluster's mentors can offer mentoring here."))
    if not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(
            _("Capacity must be between 1 and %(max)d mentees.") % {"max": MAX_CAPACITY}
        )
    offer, _created = MentorOffer.objects.select_for_update().get_or_create(
        user=user, cluster=cluster
    )
    offer.capacity = capacity
    offer.products = _clean_list(products)
    offer.markets = _clean_list(markets)
    offer.languages = _clean_list(languages)
    offer.is_paused = is_paused
    offer.accepts_competitors = accepts_competitors
    offer.pitch = pitch.strip()
    offer.strengths = [code for code in dimensions.CODES if code in set(strengths)]
    offer.save()
    offer.topics.set(topics)
    # An invited follower's first offer in the invitation's cluster is their yes.
    accept_invitation(user=user, cluster=cluster)
    if is_paused:
        # A paused mentor stops being shown at once, not when suggestions expire.
        Suggestion.objects.filter(offer=offer).delete()
    return offer


@transaction.atomic
def save_needs(
    *,
    user: User,
    products: Iterable[str] = (),
    markets: Iterable[str] = (),
    languages: Iterable[str] = (),
    topics: Iterable[str] = (),
    stage: str = MentoringNeeds._meta.get_field("stage").default,
    note: str = "",
) -> MentoringNeeds:
    note, topics = text(note, MentoringNeeds, "note"), _clean_topics(topics)
    needs, _created = MentoringNeeds.objects.get_or_create(user=user)
    needs.products = _clean_list(products)
    needs.markets = _clean_list(markets)
    needs.languages = _clean_list(languages)
    needs.stage = stage
    needs.note = note.strip()
    needs.save()
    needs.topics.set(topics)
    # Other needs, other mentors: the places held for the old ones go back.
    Suggestion.objects.filter(follower=user).delete()
    return needs
