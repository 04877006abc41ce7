"""The facts scoring weighs, read from offers, needs and export records, and the offers a
follower may be shown: what both suggestions and cohort drafts are built from."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from core.compiled import compiled_read
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
from mentoring.selectors.offers import needs_with_readiness_of, topic_names
from mentoring.selectors.pairings import open_pairing_offer_ids
from network.models import Cluster, Membership, User
from network.selectors import active_memberships_of
from readiness import selectors as readiness

# Offers from public clusters the follower has not joined: same sector and country only.
OUTSIDE_CANDIDATES = 200


def _keys(names) -> frozenset[str]:
    return frozenset(topic_key(name) for name in names)


def _experience(organization_ids: Iterable[int]) -> dict[int, frozenset[tuple[str, str]]]:
    firms = sorted(set(organization_ids) - {None})
    pairs = defaultdict(set)
    for org_id, code, country in _exports_of(firms=firms) if firms else ():
        pairs[org_id].add((code, str(country)))
    return {org_id: frozenset(found) for org_id, found in pairs.items()}


@compiled_read()
def _exports_of(p):
    exports = ExportRecord.objects.filter(organization_id__in=p.many("firms"))
    return exports.values_list("organization_id", "hs_code", "country")


def _declared(offer: MentorOffer, pairs) -> frozenset[tuple[str, str]]:
    """Records count as experience only for markets and products the mentor chose to show."""
    markets = {str(code) for code in offer.markets}
    return frozenset(
        (code, country)
        for code, country in pairs or ()
        if country in markets and any(same_product(code, shown) for shown in offer.products)
    )


# The columns of an offer, and of its mentor's profile, that mentor_facts and available_offers
# read.
SCORED = (
    "user",
    "cluster",
    "capacity",
    "active_mentees",
    "products",
    "markets",
    "languages",
    "accepts_competitors",
    "strengths",
    "user__profile__organization",
)


def mentor_facts(offers: list[MentorOffer]) -> list[MentorFacts]:
    """Offers must come with user__profile selected; their topics are read here."""
    experience = _experience(offer.user.profile.organization_id for offer in offers)
    topics = topic_names(offers)
    return [
        MentorFacts(
            offer_id=offer.pk,
            user_id=offer.user_id,
            cluster_id=offer.cluster_id,
            organization_id=offer.user.profile.organization_id,
            products=tuple(offer.products),
            markets=tuple(str(code) for code in offer.markets),
            languages=tuple(offer.languages),
            topics=_keys(topics.get(offer.pk, ())),
            places_left=offer.open_places,
            accepts_competitors=offer.accepts_competitors,
            experience=_declared(offer, experience.get(offer.user.profile.organization_id)),
            strengths=frozenset(offer.strengths),
        )
        for offer in offers
    ]


def follower_facts(
    users: list[User], *, cluster_ids: dict[int, frozenset[int]], needs: dict | None = None
) -> list:
    """Users must come with profile selected; users without needs get empty ones. `needs`,
    by user id, when the caller has read them already; their topics are read here."""
    if needs is None:
        needs = {n.user_id: n for n in MentoringNeeds.objects.filter(user__in=users)}
    topics = topic_names(list(needs.values()))
    # Only a diagnostic the firm shares with mentors is weighed: its weak dimensions show in
    # scores and reasons others read. Needs read with it (needs_with_readiness_of) bring its
    # scores; the others' are read here, in one query.
    weak = {
        user.pk: readiness.weak_of(needs[user.pk].readiness_scores)
        for user in users
        if hasattr(needs.get(user.pk), "readiness_scores")
    }
    others = [user for user in users if user.pk not in weak]
    by_firm = readiness.shared_weak_dimensions_of(user.profile.organization_id for user in others)
    weak.update({user.pk: by_firm.get(user.profile.organization_id, ()) for user in others})
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
                topics=_keys(topics.get(own.pk, ())),
                cluster_ids=cluster_ids.get(user.pk, frozenset()),
                weak_dimensions=weak[user.pk],
            )
        )
    return facts


def available_offers(query: QuerySet[MentorOffer], *, limit: int | None = None) -> list:
    """Unpaused offers of mentors still active in the cluster, with places not yet promised.

    A place is promised by an active pairing or by a request or proposal still open, so a
    mentor is never pushed to more followers than they can take. With a limit, the offers
    with the most places open come first. Each offer gets `open_places`.
    """
    offers = list(_available(query, limit=limit))
    for offer in offers:
        offer.open_places = offer.capacity - offer.active_mentees - offer.pending
    return offers


def _available(query: QuerySet[MentorOffer], *, limit: int | None) -> QuerySet[MentorOffer]:
    still_member = Membership.objects.active().filter(
        user=OuterRef("user"), cluster=OuterRef("cluster")
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
    )
    if limit is not None:
        query = query.order_by(F("active_mentees") + F("pending") - F("capacity"), "pk")[:limit]
    return query


def active_cluster_ids(user: User) -> frozenset[int]:
    return frozenset(m.cluster_id for m in active_memberships_of(user))


def _candidate_offers(follower: User, cluster_ids: frozenset[int]) -> list[MentorOffer]:
    # `cluster_ids` are the follower's active clusters (active_cluster_ids): their sectors
    # and countries come from the memberships the page has read already (core.memo).
    if not cluster_ids:
        return []  # nearby offers are those of clusters like the follower's own
    clusters = [m.cluster for m in active_memberships_of(follower) if m.cluster_id in cluster_ids]
    offers = _candidates(
        clusters=sorted(cluster_ids),
        sectors=sorted({cluster.sector for cluster in clusters}),
        countries=sorted({cluster.country.code for cluster in clusters}),
        paired=open_pairing_offer_ids(follower),
    )
    for offer in offers:
        offer.open_places = offer.capacity - offer.active_mentees - offer.pending
    return offers


@compiled_read()
def _candidates(p):
    nearby = (
        MentorOffer.objects.filter(
            cluster__visibility=Cluster.Visibility.PUBLIC,
            cluster__sector__in=p.many("sectors", of=str),
            cluster__country__in=p.many("countries", of=str),
        )
        .exclude(cluster_id__in=p.many("clusters"))
        .order_by("-capacity")[:OUTSIDE_CANDIDATES]
    )
    mine = Q(cluster_id__in=p.many("clusters")) & ~Q(pk__in=p.many("paired"))
    # One read for both: the follower's clusters' offers and the nearby public ones, with
    # what scoring weighs and a suggestion's line shows (the mentor's name, the cluster's).
    candidates = MentorOffer.objects.filter(mine | Q(pk__in=nearby.values("pk"))).only(
        *SCORED, "user__profile__display_name", "cluster__name", "cluster__slug"
    )
    return _available(candidates, limit=None)


def ranked_mentors(follower: User, cluster_ids: frozenset[int]) -> list[tuple[Match, MentorOffer]]:
    """Offers of the follower's clusters and of nearby public ones, best first, less those
    the rules exclude; whether each may be shown is decided when places are reserved."""
    offers = _candidate_offers(follower, cluster_ids)
    own = needs_with_readiness_of(follower)
    (me,) = follower_facts(
        [follower],
        cluster_ids={follower.pk: cluster_ids},
        needs={follower.pk: own} if own else {},
    )
    ranked = [
        (score(facts, me), offer)
        for offer, facts in zip(offers, mentor_facts(offers), strict=True)
        if not excluded(facts, me)
    ]
    ranked.sort(key=lambda item: (-item[0].score, item[1].pk))
    return ranked


def live_suggestions(
    offer_ids: list[int], *, follower: User
) -> tuple[dict[int, int], dict[int, tuple[int, list, datetime.datetime]]]:
    """In one read: how many other followers each offer is shown to now, and every
    suggestion of this follower's, lapsed or not: score, reasons and until when, by offer.
    An offer is shown to no more followers than its places, so the rows are few."""
    rows = _suggestions(offers=offer_ids, now=timezone.now(), follower=follower.pk)
    others: dict[int, int] = defaultdict(int)
    mine = {}
    for follower_id, offer_id, points, reasons, until in rows:
        if follower_id == follower.pk:
            mine[offer_id] = (points, reasons, until)
        else:
            others[offer_id] += 1
    return dict(others), mine


@compiled_read()
def _suggestions(p):
    shown = Q(offer_id__in=p.many("offers"), expires_at__gt=p.now) | Q(follower=p.follower)
    return Suggestion.objects.filter(shown).values_list(
        "follower_id", "offer_id", "score", "reasons", "expires_at"
    )


def match_for(*, offer: MentorOffer, follower: User) -> tuple[Match, bool]:
    """The score of one pair and whether the pair is excluded."""
    offer = available_offers(MentorOffer.objects.filter(pk=offer.pk))
    if not offer:
        return Match(score=0, reasons=[]), True
    (mentor,) = mentor_facts(offer)
    (me,) = follower_facts(
        [User.objects.select_related("profile").get(pk=follower.pk)],
        cluster_ids={follower.pk: active_cluster_ids(follower)},
    )
    return score(mentor, me), excluded(mentor, me)
