"""Followers still waiting for a mentor, and a cluster's cohort as the coordinator's page
weighs it: the options read here, the assignment made by mentoring.matching."""

from django.db.models import Count, Exists, OuterRef, QuerySet

from core.compiled import compiled_read
from mentoring import matching
from mentoring.matching import Cohort
from mentoring.models import MentorOffer, Pairing
from mentoring.scoring import excluded, score
from mentoring.selectors.matching import available_offers, follower_facts, mentor_facts
from network.models import Cluster, Membership, User

# A cohort draft weighs at most this many followers and mentors: the page and the assignment
# stay quick. Those who waited longest (followers) and have most room (mentors) come first.
COHORT_FOLLOWERS = 200
COHORT_MENTORS = 200


def unmatched_memberships(clusters) -> QuerySet[Membership]:
    """Memberships of active followers with no open pairing in that cluster."""
    open_pairing = Pairing.objects.filter(
        cluster=OuterRef("cluster"), follower=OuterRef("user"), status__in=Pairing.OPEN
    )
    return (
        Membership.objects.followers().filter(cluster__in=clusters).exclude(Exists(open_pairing))
    )


def unmatched_counts(clusters: list[Cluster]) -> dict[int, int]:
    """Per cluster id, how many followers wait for a mentor (none when none waits), in one
    query."""
    return dict(_unmatched_counts(clusters=[cluster.pk for cluster in clusters]))


@compiled_read()
def _unmatched_counts(p):
    waiting = unmatched_memberships(p.many("clusters")).values("cluster")
    return waiting.annotate(n=Count("id")).values_list("cluster", "n")


def unmatched_followers(
    cluster: Cluster, *, limit: int = COHORT_FOLLOWERS
) -> tuple[list[User], bool]:
    """Active followers of the cluster with no open pairing in it, sorted by name: at most
    `limit` of them, those who joined first, and whether more are waiting."""
    waiting = (
        unmatched_memberships([cluster])
        .order_by("created_at", "pk")
        .values_list("user_id", flat=True)
    )
    ids = list(waiting[: limit + 1])
    users = (
        User.objects.filter(pk__in=ids[:limit])
        .select_related("profile")
        .order_by("profile__display_name", "pk")
    )
    return list(users), len(ids) > limit


def cohort_options(cluster: Cluster) -> Cohort:
    """The followers and offers a draft weighs, and the score of every pair allowed."""
    followers, more_followers = unmatched_followers(cluster, limit=COHORT_FOLLOWERS)
    offers = available_offers(
        MentorOffer.objects.filter(cluster=cluster), limit=COHORT_MENTORS + 1
    )
    more_mentors = len(offers) > COHORT_MENTORS
    offers = sorted(offers[:COHORT_MENTORS], key=lambda offer: offer.pk)
    ids = {user.pk: frozenset({cluster.pk}) for user in followers}
    mentors = mentor_facts(offers)
    options = {}
    for me in follower_facts(followers, cluster_ids=ids):
        for offer, mentor in zip(offers, mentors, strict=True):
            if not excluded(mentor, me):
                options[(me.user_id, offer.pk)] = score(mentor, me)
    return Cohort(
        followers=followers,
        offers=offers,
        options=options,
        more_followers=more_followers,
        more_mentors=more_mentors,
    )


def draft_cohort(cluster: Cluster) -> Cohort:
    """The assignment with the highest total score under every mentor's places."""
    return matching.pair_best(cohort_options(cluster))


def cohort_with_choices(cluster: Cluster, choices: dict[int, int | None]) -> Cohort:
    """The cohort as the coordinator changed it: follower id -> offer id (or None)."""
    return matching.pair_as_chosen(cohort_options(cluster), choices)
