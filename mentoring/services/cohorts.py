"""A coordinator's cohort draft, published: each chosen pair becomes a proposal that both
the mentor and the follower accept (mentoring.services.pairings.accept_pairing)."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from mentoring.matching import Cohort
from mentoring.models import MentorOffer, Pairing
from mentoring.selectors.cohorts import cohort_with_choices
from mentoring.services.common import name_of, tell
from mentoring.services.pairings import create_pairing
from network.models import Cluster, User
from network.selectors import is_coordinator


def _check_still_possible(cohort: Cohort, choices: dict[int, int | None]) -> None:
    """Refuse a draft that changed under the coordinator's eyes: a chosen pair no longer
    allowed, or more followers for a mentor than their places left."""
    unknown = {
        follower_id
        for follower_id, offer_id in choices.items()
        if offer_id and not any(p.follower.pk == follower_id and p.offer for p in cohort.pairs)
    }
    if unknown:
        raise DomainError(
            gettext_lazy(
                "Some chosen pairs are no longer possible (the follower was matched, or the "
                "mentor paused or is a competitor). Review the draft again."
            )
        )
    taken: dict[int, int] = {}
    for pair in cohort.pairs:
        if pair.offer:
            taken[pair.offer.pk] = taken.get(pair.offer.pk, 0) + 1
    full = [offer for offer in cohort.offers if taken.get(offer.pk, 0) > offer.open_places]
    if full:
        raise DomainError(
            _("Too many followers for %(names)s: each mentor takes at most their places left.")
            % {"names": ", ".join(name_of(offer.user) for offer in full)}
        )


@transaction.atomic
def publish_cohort(*, cluster: Cluster, by: User, choices: dict[int, int | None]) -> list[Pairing]:
    """Turn the coordinator's draft (follower id -> offer id) into proposals both sides accept."""
    if not is_coordinator(user=by, cluster=cluster):
        raise NotAllowed(gettext_lazy("Only the cluster's coordinators can match a cohort."))
    # Two coordinators publishing at once must not both promise a mentor's last place.
    list(MentorOffer.objects.filter(cluster=cluster).order_by("pk").select_for_update())
    cohort = cohort_with_choices(cluster, choices)
    _check_still_possible(cohort, choices)
    created = []
    for pair in cohort.pairs:
        if pair.offer is None:
            continue
        pairing = create_pairing(
            cluster=cluster,
            offer=pair.offer,
            mentor=pair.offer.user,
            follower=pair.follower,
            status=Pairing.Status.PROPOSED,
            origin=Pairing.Origin.COHORT,
            proposed_by=by,
            score=pair.match.score,
            reasons=pair.match.reasons,
        )
        tell(
            [pairing.mentor, pairing.follower],
            "proposed",
            pairing,
            _("A coordinator proposes a mentoring pairing to you."),
        )
        created.append(pairing)
    if not created:
        raise DomainError(gettext_lazy("The draft pairs nobody: there is nothing to publish."))
    return created
