"""The score and its reasons on hand-built mentors and followers."""

from django.utils import translation

from mentoring.scoring import (
    WEIGHTS,
    FollowerFacts,
    MentorFacts,
    describe_all,
    excluded,
    is_competitor,
    score,
)


def mentor(**fields) -> MentorFacts:
    base = dict(
        offer_id=1,
        user_id=10,
        cluster_id=100,
        organization_id=1000,
        products=("0901",),
        markets=("DE",),
        languages=("es", "pt"),
        topics=frozenset({"certification"}),
        places_left=2,
        accepts_competitors=True,
        experience=frozenset({("0901", "DE")}),
    )
    return MentorFacts(**{**base, **fields})


def follower(**fields) -> FollowerFacts:
    base = dict(
        user_id=20,
        organization_id=2000,
        products=("0901",),
        markets=("DE",),
        languages=("pt",),
        topics=frozenset({"certification", "logistics"}),
        cluster_ids=frozenset({100}),
    )
    return FollowerFacts(**{**base, **fields})


def test_a_full_fit_explains_every_point_in_plain_words():
    match = score(mentor(), follower())
    expected = (
        WEIGHTS["heading"]
        + WEIGHTS["product_market"]
        + WEIGHTS["market"]
        + WEIGHTS["topic"]
        + WEIGHTS["language"]
        + WEIGHTS["same_cluster"]
        + 2 * WEIGHTS["place_left"]
    )
    assert match.score == expected
    with translation.override("en"):
        assert describe_all(match.reasons) == [
            "exported coffee, whether or not roasted or decaffeinated (0901) to Germany, "
            "your target market",
            "helps with certification",
            "speaks Portuguese",
            "a member of your cluster",
            "has 2 places free",
        ]


def test_reasons_are_worded_in_the_readers_language():
    match = score(mentor(), follower())
    with translation.override("es"):
        text = " | ".join(describe_all(match.reasons))
    assert "Alemania" in text and "portugués" in text.lower()
    with translation.override("pt-br"):
        assert "Alemanha" in " | ".join(describe_all(match.reasons))


def test_the_same_heading_counts_more_than_the_same_chapter():
    same_heading = score(mentor(experience=frozenset()), follower(markets=()))
    same_chapter = score(mentor(products=("0902",), experience=frozenset()), follower(markets=()))
    assert same_heading.score - same_chapter.score == WEIGHTS["heading"] - WEIGHTS["chapter"]
    with translation.override("en"):
        assert describe_all(same_chapter.reasons)[0].startswith("exports tea")
        assert "same HS chapter as your 0901" in describe_all(same_chapter.reasons)[0]


def test_market_experience_without_the_product_is_still_a_reason():
    match = score(mentor(products=("1801",), experience=frozenset()), follower())
    with translation.override("en"):
        assert "has exported to Germany, your target market" in describe_all(match.reasons)


def test_no_shared_language_no_language_points():
    with_language = score(mentor(), follower())
    without = score(mentor(languages=("en",)), follower())
    assert with_language.score - without.score == WEIGHTS["language"]
    assert not any(reason["code"] == "language" for reason in without.reasons)


def test_more_free_places_rank_higher_up_to_the_limit():
    assert (
        score(mentor(places_left=3), follower()).score
        > score(mentor(places_left=1), follower()).score
    )
    assert (
        score(mentor(places_left=9), follower()).score
        == score(mentor(places_left=3), follower()).score
    )


def test_competitors_are_excluded_only_when_the_mentor_declines_them():
    rival = follower()  # wants 0901 into Germany, where the mentor sells 0901
    assert is_competitor(mentor(), rival)
    assert not excluded(mentor(accepts_competitors=True), rival)
    assert excluded(mentor(accepts_competitors=False), rival)
    # Same product, other market: not a competitor.
    assert not excluded(mentor(accepts_competitors=False), follower(markets=("JP",)))
    # A chapter target covers the mentor's heading.
    assert excluded(mentor(accepts_competitors=False), follower(products=("09",)))


def test_full_mentors_people_of_the_same_firm_and_oneself_are_never_matched():
    assert excluded(mentor(places_left=0), follower())
    assert excluded(mentor(organization_id=2000), follower())
    assert excluded(mentor(user_id=20), follower())
    assert not excluded(mentor(organization_id=None), follower(organization_id=None))
