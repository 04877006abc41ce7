"""Suggestions spread within capacity; cohort matching finds the true optimum."""

import itertools
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.errors import DomainError, NotAllowed
from mentoring import matching
from mentoring.models import ExportRecord, MentoringNeeds, Pairing, Suggestion
from mentoring.scoring import describe_all
from mentoring.selectors.cohorts import cohort_options, draft_cohort
from mentoring.selectors.matching import match_for
from mentoring.selectors.offers import topic_names
from mentoring.services import cohorts, offers, pairings
from mentoring.services.suggestions import SUGGESTION_LIFETIME, reserve_suggestions
from tests.factories import add_member, make_cluster
from tests.mentoring.conftest import offer, person


def brute_force(scores, capacities):
    """The best total over every assignment (None = no mentor), by enumeration."""
    best = 0
    choices = [None, *range(len(capacities))]
    for assignment in itertools.product(choices, repeat=len(scores)):
        used = [0] * len(capacities)
        total = 0
        for row, mentor in enumerate(assignment):
            if mentor is None:
                continue
            if scores[row][mentor] is None:
                break
            used[mentor] += 1
            total += scores[row][mentor]
        else:
            if all(u <= c for u, c in zip(used, capacities, strict=True)):
                best = max(best, total)
    return best


def total_of(scores, assignment):
    return sum(scores[row][m] for row, m in enumerate(assignment) if m is not None)


def test_best_assignment_equals_brute_force_on_random_small_cohorts():
    rng = random.Random(20261125)
    checked = 0
    for _ in range(300):
        followers, mentors = rng.randint(1, 6), rng.randint(1, 4)
        capacities = [rng.randint(0, 3) for _ in range(mentors)]
        scores = [
            [None if rng.random() < 0.25 else rng.randint(0, 120) for _ in range(mentors)]
            for _ in range(followers)
        ]
        assignment = matching.best_assignment(scores, capacities)
        for mentor, capacity in enumerate(capacities):
            assert assignment.count(mentor) <= capacity
        for row, mentor in enumerate(assignment):
            assert mentor is None or scores[row][mentor] is not None
        assert total_of(scores, assignment) == brute_force(scores, capacities)
        checked += 1
    assert checked == 300


def test_greedy_would_lose_here_but_the_assignment_does_not():
    # Greedy gives mentor 0 to follower 0 (90) and leaves follower 1 with 10: total 100.
    scores = [[90, 80], [85, None]]
    assignment = matching.best_assignment(scores, [1, 1])
    assert assignment == [1, 0]
    assert total_of(scores, assignment) == 165


def test_suggestions_come_with_reasons_best_first(net):
    suggested = reserve_suggestions(follower=net.felipe)
    assert suggested[0].offer.user == net.ana
    with translation.override("en"):
        reasons = describe_all(suggested[0].match.reasons)
    assert reasons[0].startswith("exported coffee") and "Germany" in reasons[0]
    assert "speaks Portuguese" in reasons


def test_suggestion_reasons_only_cite_exports_the_mentor_chose_to_show(net):
    firm = net.ana.profile.organization
    # Ana's firm also exported to Japan and exported cocoa: her offer shows neither.
    ExportRecord.objects.create(
        organization=firm, year=2020, hs_code="0901", country="JP", value_band="lt1m"
    )
    ExportRecord.objects.create(
        organization=firm, year=2020, hs_code="1801", country="DE", value_band="lt1m"
    )
    to_japan = add_member(net.cluster, person("Hiro Follower", languages=["pt"]))
    offers.save_needs(user=to_japan, products=["0901"], markets=["JP"])
    cocoa = add_member(net.cluster, person("Carla Follower", languages=["pt"]))
    offers.save_needs(user=cocoa, products=["1801"], markets=["DE"])
    for follower in (to_japan, cocoa):
        match, excluded = match_for(offer=net.ana_offer, follower=follower)
        assert not excluded
        assert [r for r in match.reasons if r["code"] == "product_market"] == []
    suggested = {s.offer.user: s for s in reserve_suggestions(follower=to_japan)}
    words = " ".join(describe_all(suggested[net.ana].match.reasons))
    assert "Japan" not in words
    # What she does show still counts: coffee to Germany.
    match, _excluded = match_for(offer=net.ana_offer, follower=net.felipe)
    assert {"code": "product_market", "hs": "0901", "country": "DE"} in match.reasons


def test_paused_mentors_are_never_suggested(net):
    offer(net.ana, net.cluster, products=["0901"], markets=["DE"], is_paused=True)
    assert net.ana not in [s.offer.user for s in reserve_suggestions(follower=net.felipe)]


def test_competitors_are_not_suggested_when_the_mentor_declines_them(net):
    offer(net.ana, net.cluster, products=["0901"], markets=["DE"], accepts_competitors=False)
    assert net.ana not in [s.offer.user for s in reserve_suggestions(follower=net.felipe)]
    # Gabi wants cocoa into the United States: not Ana's product, so Ana stays available.
    assert net.ana in [s.offer.user for s in reserve_suggestions(follower=net.gabi)]


def test_a_mentor_is_shown_to_no_more_followers_than_places_left(net):
    offer(net.ana, net.cluster, capacity=1, products=["0901"], markets=["DE"])
    followers = [net.felipe]
    for n in range(4):
        follower = add_member(net.cluster, person(f"Extra {n}", languages=["pt"]))
        offers.save_needs(user=follower, products=["0901"], markets=["DE"])
        followers.append(follower)
    shown = [
        f for f in followers if net.ana in [s.offer.user for s in reserve_suggestions(follower=f)]
    ]
    assert len(shown) == 1
    assert Suggestion.objects.filter(offer=net.ana_offer).count() == 1
    # Seeing the page again keeps one's own suggestion: it is not counted against oneself.
    again = reserve_suggestions(follower=shown[0])
    assert net.ana in [s.offer.user for s in again]


def test_mentors_of_private_clusters_one_has_not_joined_are_never_suggested(net):
    other = make_cluster(visibility="private", name="Other private")
    stranger = add_member(other, person("Stranger", languages=["pt"]), role="mentor")
    offer(stranger, other, products=["0901"], markets=["DE"])
    assert stranger not in [s.offer.user for s in reserve_suggestions(follower=net.felipe)]


def test_mentors_of_nearby_public_clusters_are_suggested_with_a_join_step(net):
    public = make_cluster(visibility="public", name="Open coffee cluster")
    neighbour = add_member(public, person("Neighbour", languages=["pt"]), role="mentor")
    offer(neighbour, public, products=["0901"], markets=["DE"])
    # Felipe is in a private cluster of the same sector and country.
    suggested = {s.offer.user: s for s in reserve_suggestions(follower=net.felipe)}
    assert suggested[neighbour].can_request is False
    assert suggested[net.ana].can_request is True
    with pytest.raises(DomainError, match="Join"):
        pairings.request_mentor(follower=net.felipe, offer=suggested[neighbour].offer)


def test_the_cohort_draft_is_the_optimum_and_respects_capacity(net):
    offer(net.ana, net.cluster, capacity=1, products=["0901", "1801"], markets=["DE", "US"])
    extra = add_member(net.cluster, person("Hugo Follower"))
    offers.save_needs(user=extra, products=["1801"], markets=["US"])
    draft = draft_cohort(net.cluster)
    followers = draft.followers
    matrix = [
        [m.score if (m := draft.options.get((f.pk, o.pk))) else None for o in draft.offers]
        for f in followers
    ]
    capacities = [o.places_left for o in draft.offers]
    assert draft.total == brute_force(matrix, capacities)
    taken = [p.offer.pk for p in draft.pairs if p.offer]
    for o in draft.offers:
        assert taken.count(o.pk) <= o.places_left


def test_publishing_the_draft_creates_proposals_both_sides_accept(net, commit):
    draft = draft_cohort(net.cluster)
    choices = {p.follower.pk: p.offer.pk if p.offer else None for p in draft.pairs}
    with commit():
        created = cohorts.publish_cohort(cluster=net.cluster, by=net.coordinator, choices=choices)
    assert {(p.mentor, p.follower) for p in created} == {
        (net.ana, net.felipe),
        (net.bruno, net.gabi),
    }
    assert all(p.status == Pairing.Status.PROPOSED for p in created)
    assert draft_cohort(net.cluster).pairs == []  # nobody left unmatched


def test_a_coordinator_cannot_publish_beyond_a_mentors_places(net):
    offer(net.ana, net.cluster, capacity=1, products=["0901", "1801"], markets=["DE", "US"])
    choices = {net.felipe.pk: net.ana_offer.pk, net.gabi.pk: net.ana_offer.pk}
    with pytest.raises(DomainError, match="Too many followers"):
        cohorts.publish_cohort(cluster=net.cluster, by=net.coordinator, choices=choices)
    assert not Pairing.objects.exists()


def test_only_coordinators_publish_a_cohort(net):
    with pytest.raises(NotAllowed):
        cohorts.publish_cohort(
            cluster=net.cluster, by=net.ana, choices={net.felipe.pk: net.ana_offer.pk}
        )
    assert not Pairing.objects.exists()


def _writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) or "FOR UPDATE" in q["sql"]
    ]


def test_showing_the_same_mentors_again_within_the_hour_writes_nothing(net):
    first = reserve_suggestions(follower=net.felipe)
    held = dict(Suggestion.objects.filter(follower=net.felipe).values_list("offer", "expires_at"))
    assert held
    with CaptureQueriesContext(connection) as queries:
        again = reserve_suggestions(follower=net.felipe)
    assert [s.offer for s in again] == [s.offer for s in first]
    assert _writes(queries) == []
    after = Suggestion.objects.filter(follower=net.felipe).values_list("offer", "expires_at")
    assert dict(after) == held


def test_a_showing_an_hour_after_the_last_renewal_holds_the_mentors_a_week_again(net):
    reserve_suggestions(follower=net.felipe)
    mine = Suggestion.objects.filter(follower=net.felipe)
    mine.update(expires_at=timezone.now() + SUGGESTION_LIFETIME - timedelta(minutes=61))
    reserve_suggestions(follower=net.felipe)
    soonest = min(mine.values_list("expires_at", flat=True))
    assert soonest > timezone.now() + SUGGESTION_LIFETIME - timedelta(minutes=1)


def test_a_mentor_no_longer_among_the_chosen_is_released_at_the_next_showing(net):
    reserve_suggestions(follower=net.felipe)
    # Held from an earlier showing, and no longer one the follower may be shown: its place
    # goes back to the others at the next showing.
    other = make_cluster(visibility="private", name="Other private")
    stranger = add_member(other, person("Stranger", languages=["pt"]), role="mentor")
    theirs = offer(stranger, other, products=["0901"], markets=["DE"])
    Suggestion.objects.create(
        follower=net.felipe,
        offer=theirs,
        score=10,
        reasons=[],
        expires_at=timezone.now() + SUGGESTION_LIFETIME,
    )
    suggested = reserve_suggestions(follower=net.felipe)
    assert net.ana in [s.offer.user for s in suggested]
    assert not Suggestion.objects.filter(follower=net.felipe, offer=theirs).exists()


def test_topics_a_follower_shares_with_a_mentor_are_weighed_in_suggestions_and_cohorts(net):
    # Felipe and Ana share "certification"; Bruno offers "export finance" only.
    shown = {s.offer.pk: s.match.reasons for s in reserve_suggestions(follower=net.felipe)}
    assert {"code": "topics", "topics": ["certification"]} in shown[net.ana_offer.pk]
    assert not any(reason["code"] == "topics" for reason in shown.get(net.bruno_offer.pk, []))
    options = cohort_options(net.cluster).options
    gabi_and_bruno = options[(net.gabi.pk, net.bruno_offer.pk)].reasons
    assert {"code": "topics", "topics": ["export finance"]} in gabi_and_bruno


def test_topic_names_reads_each_offer_or_needs_topics_in_one_query(net):
    with CaptureQueriesContext(connection) as queries:
        by_offer = topic_names([net.ana_offer, net.bruno_offer])
    assert len(queries.captured_queries) == 1
    assert sorted(by_offer[net.ana_offer.pk]) == ["certification", "logistics"]
    assert by_offer[net.bruno_offer.pk] == ["export finance"]
    by_needs = topic_names(list(MentoringNeeds.objects.filter(user__in=[net.felipe, net.gabi])))
    assert by_needs == {net.felipe.pk: ["certification"], net.gabi.pk: ["export finance"]}
    assert topic_names([]) == {}


def test_a_cohort_reads_the_same_queries_however_many_followers_have_no_needs(net):
    def queries_of_a_draft() -> int:
        with CaptureQueriesContext(connection) as queries:
            cohort_options(net.cluster)
        return len(queries.captured_queries)

    add_member(net.cluster, person("Hugo Follower"))
    few = queries_of_a_draft()
    for name in ("Inés", "Jorge", "Karla"):
        add_member(net.cluster, person(f"{name} Follower"))
    assert queries_of_a_draft() == few
