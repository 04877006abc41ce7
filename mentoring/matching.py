"""Suggestions for one follower, and the best assignment of a whole cohort to mentors."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from scipy.optimize import linear_sum_assignment

from mentoring.models import ExportRecord, MentoringNeeds, MentorOffer, Pairing, Suggestion
from mentoring.scoring import (
    FollowerFacts,
    Match,
    MentorFacts,
    excluded,
    same_product,
    score,
    topic_key,
)
from network.models import Cluster, Membership, User

SUGGESTION_LIFETIME = timedelta(days=7)
SUGGESTIONS_SHOWN = 5
# Offers from public clusters the follower has not joined: same sector and country only.
OUTSIDE_CANDIDATES = 200
# A cohort draft weighs at most this many followers and mentors: the page and the assignment
# stay quick. Those who waited longest (followers) and have most room (mentors) come first.
COHORT_FOLLOWERS = 200
COHORT_MENTORS = 200


def _tag_names(obj) -> frozenset[str]:
    return frozenset(topic_key(tag.name) for tag in obj.topics.all())


def _experience(organization_ids: Iterable[int]) -> dict[int, frozenset[tuple[str, str]]]:
    pairs = defaultdict(set)
    rows = ExportRecord.objects.filter(organization_id__in=set(organization_ids) - {None})
    for org_id, code, country in rows.values_list("organization_id", "hs_code", "country"):
        pairs[org_id].add((code, str(country)))
    return {org_id: frozenset(found) for org_id, found in pairs.items()}


def _declared(offer: MentorOffer, pairs) -> frozenset[tuple[str, str]]:
    """Records count as experience only for markets and products the mentor chose to show."""
    markets = {str(code) for code in offer.markets}
    return frozenset(
        (code, country)
        for code, country in pairs or ()
        if country in markets and any(same_product(code, shown) for shown in offer.products)
    )


def mentor_facts(offers: list[MentorOffer]) -> list[MentorFacts]:
    """Offers must come with user__profile selected and topics prefetched."""
    experience = _experience(offer.user.profile.organization_id for offer in offers)
    return [
        MentorFacts(
            offer_id=offer.pk,
            user_id=offer.user_id,
            cluster_id=offer.cluster_id,
            organization_id=offer.user.profile.organization_id,
            products=tuple(offer.products),
            markets=tuple(str(code) for code in offer.markets),
            languages=tuple(offer.languages),
            topics=_tag_names(offer),
            places_left=offer.open_places,
            accepts_competitors=offer.accepts_competitors,
            experience=_declared(offer, experience.get(offer.user.profile.organization_id)),
        )
        for offer in offers
    ]


def follower_facts(users: list[User], *, cluster_ids: dict[int, frozenset[int]]) -> list:
    """Users must come with profile selected; users without needs get empty ones."""
    needs = {
        n.user_id: n
        for n in MentoringNeeds.objects.filter(user__in=users).prefetch_related("topics")
    }
    facts = []
    for user in users:
        own = needs.get(user.pk) or MentoringNeeds(user=user)
        facts.append(
            FollowerFacts(
                user_id=user.pk,
                organization_id=user.profile.organization_id,
                products=tuple(own.products),
                markets=tuple(str(code) for code in own.markets),
                languages=tuple(own.languages or user.profile.languages),
                topics=_tag_names(own) if own.pk else frozenset(),
                cluster_ids=cluster_ids.get(user.pk, frozenset()),
            )
        )
    return facts


def _offers(query, *, limit: int | None = None) -> list[MentorOffer]:
    """Unpaused offers of mentors still active in the cluster, with places not yet promised.

    A place is promised by an active pairing or by a request or proposal still open, so a
    mentor is never pushed to more followers than they can take. With a limit, the offers
    with the most places open come first.
    """
    still_member = Membership.objects.filter(
        user=OuterRef("user"), cluster=OuterRef("cluster"), status=Membership.Status.ACTIVE
    )
    query = (
        query.filter(Exists(still_member), is_paused=False)
        .annotate(
            pending=Count(
                "pairings",
                filter=Q(pairings__status__in=[Pairing.Status.REQUESTED, Pairing.Status.PROPOSED]),
            )
        )
        .filter(capacity__gt=F("active_mentees") + F("pending"))
        .select_related("user__profile", "cluster")
        .prefetch_related("topics")
    )
    if limit is not None:
        query = query.order_by(F("active_mentees") + F("pending") - F("capacity"), "pk")[:limit]
    offers = list(query)
    for offer in offers:
        offer.open_places = offer.capacity - offer.active_mentees - offer.pending
    return offers


# --- Suggestions for one follower ----------------------------------------------------


@dataclass
class Suggested:
    offer: MentorOffer
    match: Match
    can_request: bool  # False when the mentor's cluster must be joined first


def _candidate_offers(follower: User, cluster_ids: frozenset[int]) -> list[MentorOffer]:
    mine = MentorOffer.objects.filter(cluster_id__in=cluster_ids)
    clusters = Cluster.objects.filter(pk__in=cluster_ids)
    nearby = (
        MentorOffer.objects.filter(
            cluster__visibility=Cluster.Visibility.PUBLIC,
            cluster__sector__in=clusters.values("sector"),
            cluster__country__in=clusters.values("country"),
        )
        .exclude(cluster_id__in=cluster_ids)
        .order_by("-capacity")[:OUTSIDE_CANDIDATES]
    )
    already = Pairing.objects.filter(follower=follower, status__in=Pairing.OPEN)
    offers = _offers(mine.exclude(pk__in=already.values("offer_id")))
    offers += _offers(MentorOffer.objects.filter(pk__in=list(nearby.values_list("pk", flat=True))))
    return offers


def _exposure(offer_ids: list[int], *, besides: User) -> dict[int, int]:
    """How many other followers each offer is currently shown to."""
    rows = (
        Suggestion.objects.filter(offer_id__in=offer_ids, expires_at__gt=timezone.now())
        .exclude(follower=besides)
        .values("offer_id")
        .annotate(n=Count("id"))
    )
    return {row["offer_id"]: row["n"] for row in rows}


def active_cluster_ids(user: User) -> frozenset[int]:
    return frozenset(
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list(
            "cluster_id", flat=True
        )
    )


@transaction.atomic
def suggest_mentors(*, follower: User, limit: int = SUGGESTIONS_SHOWN) -> list[Suggested]:
    """Best mentors for this follower, never shown to more followers than they have places."""
    cluster_ids = active_cluster_ids(follower)
    offers = _candidate_offers(follower, cluster_ids)
    (me,) = follower_facts([follower], cluster_ids={follower.pk: cluster_ids})
    ranked = []
    for offer, facts in zip(offers, mentor_facts(offers), strict=True):
        if not excluded(facts, me):
            ranked.append((score(facts, me), offer))
    ranked.sort(key=lambda item: (-item[0].score, item[1].pk))

    # Lock the offers we might show so two followers cannot both take the last place.
    ids = [offer.pk for _, offer in ranked]
    list(MentorOffer.objects.filter(pk__in=ids).order_by("pk").select_for_update())
    shown_to_others = _exposure(ids, besides=follower)
    chosen = [
        Suggested(offer=offer, match=match, can_request=offer.cluster_id in cluster_ids)
        for match, offer in ranked
        if shown_to_others.get(offer.pk, 0) < offer.open_places
    ][:limit]

    Suggestion.objects.filter(follower=follower).exclude(
        offer_id__in=[s.offer.pk for s in chosen]
    ).delete()
    expires = timezone.now() + SUGGESTION_LIFETIME
    for item in chosen:
        Suggestion.objects.update_or_create(
            follower=follower,
            offer=item.offer,
            defaults={
                "score": item.match.score,
                "reasons": item.match.reasons,
                "expires_at": expires,
            },
        )
    return chosen


def match_for(*, offer: MentorOffer, follower: User) -> tuple[Match, bool]:
    """The score of one pair and whether the pair is excluded."""
    offer = _offers(MentorOffer.objects.filter(pk=offer.pk))
    if not offer:
        return Match(score=0, reasons=[]), True
    (mentor,) = mentor_facts(offer)
    (me,) = follower_facts(
        [User.objects.select_related("profile").get(pk=follower.pk)],
        cluster_ids={follower.pk: active_cluster_ids(follower)},
    )
    return score(mentor, me), excluded(mentor, me)


# --- Cohort matching -----------------------------------------------------------------


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


def unmatched_memberships(clusters) -> QuerySet[Membership]:
    """Memberships of active followers with no open pairing in that cluster."""
    open_pairing = Pairing.objects.filter(
        cluster=OuterRef("cluster"), follower=OuterRef("user"), status__in=Pairing.OPEN
    )
    return Membership.objects.filter(
        cluster__in=clusters, status=Membership.Status.ACTIVE, role=Membership.Role.FOLLOWER
    ).exclude(Exists(open_pairing))


def unmatched_counts(clusters) -> dict[int, int]:
    """Per cluster id, how many followers wait for a mentor, in one query."""
    return dict(
        unmatched_memberships(clusters)
        .values("cluster")
        .annotate(n=Count("id"))
        .values_list("cluster", "n")
    )


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
    followers, more_followers = unmatched_followers(cluster, limit=COHORT_FOLLOWERS)
    offers = _offers(MentorOffer.objects.filter(cluster=cluster), limit=COHORT_MENTORS + 1)
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


def best_assignment(scores: list[list[int | None]], capacities: list[int]) -> list[int | None]:
    """For each follower (row), the mentor (column) maximising the total score.

    None in scores marks a pair that may not be matched. Each mentor takes at most their
    capacity. Solved exactly with the Hungarian method: each mentor is repeated once per
    place, and each follower gets a "no mentor" column worth nothing.
    """
    rows = len(scores)
    if rows == 0:
        return []
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


def draft_cohort(cluster: Cluster) -> Cohort:
    """The assignment with the highest total score under every mentor's places."""
    cohort = cohort_options(cluster)
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


def cohort_with_choices(cluster: Cluster, choices: dict[int, int | None]) -> Cohort:
    """The cohort as the coordinator changed it: follower id -> offer id (or None)."""
    cohort = cohort_options(cluster)
    offers = {offer.pk: offer for offer in cohort.offers}
    for user in cohort.followers:
        offer = offers.get(choices.get(user.pk) or 0)
        match = cohort.options.get((user.pk, offer.pk)) if offer else None
        cohort.pairs.append(CohortPair(follower=user, offer=offer if match else None, match=match))
    return cohort
