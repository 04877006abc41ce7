"""How well a mentor fits a follower: one score, and the reasons behind it in plain words.

The weights below are the only place the score is tuned (see docs/matching.md). Reasons are
stored as data and put into words when shown, so each reader sees them in their language.
"""

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from core import hs
from mentoring.models import COMMON_TOPICS
from network.models import SPOKEN_LANGUAGES
from readiness import dimensions

# Points per fact; LIMITS caps how many times a repeated fact counts.
WEIGHTS = {
    "heading": 30,  # exports a target product: the same 4-digit HS heading
    "chapter": 12,  # exports something in a target product's HS chapter (when no heading matches)
    "product_market": 15,  # has export records of a target product to a target market
    "market": 20,  # has exported to a target market
    "topic": 8,  # helps with a topic the follower asks about
    "language": 10,  # speaks one of the follower's languages
    "strength": 10,  # strong in a dimension the follower's firm is weak in (its diagnostic)
    "same_cluster": 6,  # already works in one of the follower's clusters
    "place_left": 2,  # each free place: spreads followers over mentors with room
}
LIMITS = {"heading": 2, "market": 2, "topic": 3, "strength": 2, "place_left": 3}
MAX_SCORE = (
    WEIGHTS["heading"] * LIMITS["heading"]
    + WEIGHTS["product_market"]
    + WEIGHTS["market"] * LIMITS["market"]
    + WEIGHTS["topic"] * LIMITS["topic"]
    + WEIGHTS["language"]
    + WEIGHTS["strength"] * LIMITS["strength"]
    + WEIGHTS["same_cluster"]
    + WEIGHTS["place_left"] * LIMITS["place_left"]
)


@dataclass(frozen=True)
class MentorFacts:
    """What the score needs to know about one offer, gathered once per page."""

    offer_id: int
    user_id: int
    cluster_id: int
    organization_id: int | None
    products: tuple[str, ...]
    markets: tuple[str, ...]
    languages: tuple[str, ...]
    topics: frozenset[str]
    places_left: int
    accepts_competitors: bool
    # (HS code, country) pairs from the mentor's firm's export records.
    experience: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    # Readiness dimensions the mentor declared strengths in.
    strengths: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class FollowerFacts:
    user_id: int
    organization_id: int | None
    products: tuple[str, ...]
    markets: tuple[str, ...]
    languages: tuple[str, ...]
    topics: frozenset[str]
    cluster_ids: frozenset[int]
    # The firm's weak dimensions in its latest diagnostic, weakest first; only when the firm
    # shares its diagnostic with mentors.
    weak_dimensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    score: int
    reasons: list[dict]


def same_product(a: str, b: str) -> bool:
    """Equal codes, or a chapter and a heading inside it."""
    return a == b or (len(a) != len(b) and a[:2] == b[:2])


def is_competitor(mentor: MentorFacts, follower: FollowerFacts) -> bool:
    """The follower wants to sell one of the mentor's products into one of the mentor's markets."""
    return bool(set(mentor.markets) & set(follower.markets)) and any(
        same_product(wanted, sold) for wanted in follower.products for sold in mentor.products
    )


def excluded(mentor: MentorFacts, follower: FollowerFacts) -> bool:
    """Pairs never suggested or matched, whatever their score."""
    return (
        mentor.user_id == follower.user_id
        or mentor.places_left <= 0
        or (
            mentor.organization_id is not None
            and mentor.organization_id == follower.organization_id
        )
        or (not mentor.accepts_competitors and is_competitor(mentor, follower))
    )


def score(mentor: MentorFacts, follower: FollowerFacts) -> Match:
    points = 0
    reasons: list[dict] = []

    headings = [code for code in follower.products if code in mentor.products and len(code) == 4]
    headings = headings[: LIMITS["heading"]]
    if headings:
        points += WEIGHTS["heading"] * len(headings)
    else:
        chapter = next(
            (
                (sold, wanted)
                for wanted in follower.products
                for sold in mentor.products
                if sold[:2] == wanted[:2]
            ),
            None,
        )
        if chapter:
            points += WEIGHTS["chapter"]
            reasons.append({"code": "chapter", "hs": chapter[0], "target": chapter[1]})

    proven = sorted(
        (code, country)
        for code, country in mentor.experience
        if country in follower.markets and any(same_product(code, w) for w in follower.products)
    )
    if proven:
        points += WEIGHTS["product_market"]
        reasons.append({"code": "product_market", "hs": proven[0][0], "country": proven[0][1]})
    told = {proven[0][0]} if proven else set()
    reasons[:0] = [{"code": "heading", "hs": code} for code in headings if code not in told]

    markets = [c for c in follower.markets if c in mentor.markets][: LIMITS["market"]]
    if markets:
        points += WEIGHTS["market"] * len(markets)
        told = {proven[0][1]} if proven else set()
        reasons += [{"code": "market", "country": c} for c in markets if c not in told]

    topics = sorted(mentor.topics & follower.topics)[: LIMITS["topic"]]
    if topics:
        points += WEIGHTS["topic"] * len(topics)
        reasons.append({"code": "topics", "topics": topics})

    language = next((code for code in follower.languages if code in mentor.languages), None)
    if language:
        points += WEIGHTS["language"]
        reasons.append({"code": "language", "language": language})

    strong = [code for code in follower.weak_dimensions if code in mentor.strengths]
    if strong:
        strong = strong[: LIMITS["strength"]]
        points += WEIGHTS["strength"] * len(strong)
        reasons += [
            {"code": "strength", "dimension": code, "weakest": code == follower.weak_dimensions[0]}
            for code in strong
        ]

    if mentor.cluster_id in follower.cluster_ids:
        points += WEIGHTS["same_cluster"]
        reasons.append({"code": "same_cluster"})

    places = min(mentor.places_left, LIMITS["place_left"])
    if places > 0:
        points += WEIGHTS["place_left"] * places
        reasons.append({"code": "places", "count": mentor.places_left})
    return Match(score=points, reasons=reasons)


@cache
def _common_topics() -> dict[str, str]:
    """A common topic as written in any shipped language -> its English name."""
    names = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.update({_(topic).lower(): topic for topic in COMMON_TOPICS})
    return names


def topic_key(topic: str) -> str:
    """One name for a common topic whatever language it was written in, so "certificación"
    and "certification" meet; other topics as written."""
    return _common_topics().get(topic.lower(), topic.lower())


def topic_label(topic: str) -> str:
    """A topic in the active language when it is a common one; as written otherwise."""
    return _(topic) if topic in COMMON_TOPICS else topic


def _product(code: str) -> str:
    name = hs.short_name(code)
    if len(name) > 1 and not name[1].isupper():  # "coffee" mid-sentence, but keep "LCD"
        name = name[0].lower() + name[1:]
    return f"{name} ({code})"


def describe(reason: dict) -> str:
    """One reason in the active language."""
    code = reason.get("code")
    if code == "product_market":
        return _("exported %(product)s to %(country)s, your target market") % {
            "product": _product(reason["hs"]),
            "country": countries.name(reason["country"]),
        }
    if code == "heading":
        return _("exports %(product)s, a product you target") % {"product": _product(reason["hs"])}
    if code == "chapter":
        return _("exports %(product)s, in the same HS chapter as your %(target)s") % {
            "product": _product(reason["hs"]),
            "target": reason["target"],
        }
    if code == "market":
        return _("has exported to %(country)s, your target market") % {
            "country": countries.name(reason["country"])
        }
    if code == "topics":
        return _("helps with %(topics)s") % {
            "topics": ", ".join(topic_label(topic) for topic in reason["topics"])
        }
    if code == "language":
        names = dict(SPOKEN_LANGUAGES)
        return _("speaks %(language)s") % {
            "language": str(names.get(reason["language"], reason["language"]))
        }
    if code == "strength":
        name = dimensions.name(reason["dimension"])
        name = name[:1].lower() + name[1:]  # mid-sentence
        if reason.get("weakest"):
            return _("strong in %(dimension)s, your weakest dimension") % {"dimension": name}
        return _("strong in %(dimension)s, a weak dimension of your firm") % {"dimension": name}
    if code == "same_cluster":
        return _("a member of your cluster")
    if code == "places":
        return ngettext(
            "has %(count)d place free", "has %(count)d places free", reason["count"]
        ) % {"count": reason["count"]}
    return ""


def describe_all(reasons: list[dict], *, to_follower: bool = False) -> list[str]:
    """The reasons in the active language. A reason drawn from the firm's diagnostic tells
    where the firm is weak: it is put into words for the follower alone, never for a mentor
    or a coordinator reading the same pair."""
    told = [reason for reason in reasons if to_follower or reason.get("code") != "strength"]
    return [text for text in map(describe, told) if text]
