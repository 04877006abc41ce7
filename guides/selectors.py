"""Reads the guide pages need, shaped for them: the library, search, and guides beside others."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, Exists, FloatField, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from core.compiled import compiled_read
from core.pagination import KeysetPage, keyset_page
from guides import access, catalogue
from guides.models import CorrectionSuggestion, Guide, GuideTag, GuideVersion, ReviewComment
from incentives.selectors import agency_of
from network.models import Membership, User
from network.selectors import coordinated_clusters_of, sponsored_clusters

Kind = GuideTag.Kind
SEARCH_LIMIT = 20
# The forums' three stemmers, so a word finds guides and posts alike.
_TSQUERY = " || ".join(
    f"websearch_to_tsquery('{config}', %s)" for config in ("spanish", "portuguese", "english")
)
_VECTOR = (
    "(SELECT v.search FROM guides_guideversion v WHERE v.id = guides_guide.current_version_id)"
)


def guide_for_reader(user: User, guide_id: int) -> Guide:
    """The guide if this person may read it; 404 otherwise, never a hint it exists."""
    guide = (
        Guide.objects.select_related(
            "cluster", "current_version__published_by__profile", "promoted_from__topic"
        )
        .prefetch_related("authors__profile")
        .filter(pk=guide_id)
        .first()
    )
    if guide is None or not access.can_read(user, guide):
        raise Http404
    guide._author_ids = {author.pk for author in guide.authors.all()}
    return guide


@dataclass(frozen=True)
class GuideFilters:
    product: str = ""
    market: str = ""
    topic: str = ""
    language: str = ""

    @property
    def any(self) -> bool:
        return bool(self.product or self.market or self.topic or self.language)


def _product_match(code: str, on: str = "") -> Q:
    """A heading finds guides on it and on its chapter; a chapter finds its headings too."""
    return Q(**{f"{on}code": code[:2]}) | Q(**{f"{on}code__startswith": code})


def _market_match(code: str, on: str = "") -> Q:
    """A country finds guides for the blocs it belongs to; a bloc, those for its members."""
    covered = [*catalogue.markets_covering(code), *catalogue.bloc_members(code)]
    return Q(**{f"{on}code__in": covered})


def _tagged(kind: str, match: Q) -> Exists:
    return Exists(GuideTag.objects.filter(match, guide=OuterRef("pk"), kind=kind))


def _filtered(guides: QuerySet[Guide], filters: GuideFilters) -> QuerySet[Guide]:
    if filters.product:
        guides = guides.filter(_tagged(Kind.PRODUCT, _product_match(filters.product)))
    if filters.market:
        guides = guides.filter(_tagged(Kind.MARKET, _market_match(filters.market)))
    if filters.topic:
        guides = guides.filter(_tagged(Kind.TOPIC, Q(code=filters.topic)))
    if filters.language:
        guides = guides.filter(current_version__language=filters.language)
    return guides


def _for_lists(guides: QuerySet[Guide]) -> QuerySet[Guide]:
    """Guides as their cards show them (guides/_card.html), with the date the library's next
    page starts from."""
    return guides.select_related("current_version").only(
        "title",
        "summary",
        "status",
        "check_by",
        "useful_count",
        "published_at",
        "current_version__title",
        "current_version__summary",
        "current_version__language",
        "current_version__markets",
        "current_version__products",
    )


def library(
    *, viewer: User, filters: GuideFilters = GuideFilters(), after: str | None = None, per_page=20
) -> KeysetPage:
    guides = _for_lists(_filtered(access.readable_guides(viewer), filters))
    return keyset_page(guides, ordering=("-published_at", "-id"), after=after, per_page=per_page)


def search(
    *, viewer: User, q: str, filters: GuideFilters = GuideFilters(), limit: int = SEARCH_LIMIT
) -> list[Guide]:
    """Published guides matching the words (and filters), best first; filters alone list them."""
    q = q.strip()
    if not q and not filters.any:
        return []
    guides = _for_lists(_filtered(access.readable_guides(viewer), filters))
    if not q:
        return list(guides.order_by("-published_at", "-id")[:limit])
    if connection.vendor == "postgresql":
        guides = guides.annotate(
            rank=RawSQL(f"ts_rank({_VECTOR}, {_TSQUERY})", [q, q, q], output_field=FloatField()),
            matched=RawSQL(f"{_VECTOR} @@ ({_TSQUERY})", [q, q, q], output_field=BooleanField()),
        ).filter(matched=True)
        return list(guides.order_by("-rank", "-useful_count", "-id")[:limit])
    condition = Q()
    for word in q.split()[:8]:
        condition &= (
            Q(current_version__title__icontains=word)
            | Q(current_version__summary__icontains=word)
            | Q(current_version__body__icontains=word)
        )
    return list(guides.filter(condition).order_by("-useful_count", "-id")[:limit])


def _listed(values) -> list[str]:
    """Codes, from one code or Country or any collection of them. A CountryField with
    multiple=True reads as a list-like that is no list, and whose str() is the countries'
    names: it is iterated like any other collection."""
    if not values:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        return [str(values)]  # one code, or one django-countries Country
    return [str(value) for value in values if value]


def guides_for(
    *,
    viewer: User,
    markets: Iterable[str] | str = (),
    products: Iterable[str] | str = (),
    topics: Iterable[str] | str = (),
    limit: int = 3,
) -> list[Guide]:
    """Guides the viewer may read about any of these markets, products or topics, the
    best-matching and most useful first, in one query."""
    markets, products, topics = _listed(markets), _listed(products), _listed(topics)
    match = Q()
    for code in markets:
        match |= Q(tags__kind=Kind.MARKET) & _market_match(code, on="tags__")
    for code in products:
        match |= Q(tags__kind=Kind.PRODUCT) & _product_match(code, on="tags__")
    if topics:
        match |= Q(tags__kind=Kind.TOPIC, tags__code__in=topics)
    if not match:
        return []
    guides = (
        access.readable_guides(viewer)
        .annotate(score=Count("tags", filter=match, distinct=True))
        .filter(score__gt=0)
        .select_related("current_version")
        # What a guide's line shows (guides/_related.html, the readiness suggestions): its
        # title, linked by id, and whether it may be out of date.
        .only("title", "status", "check_by", "current_version__title")
    )
    return list(guides.order_by("-score", "-useful_count", "-published_at", "-id")[:limit])


def versions(guide: Guide) -> list[GuideVersion]:
    return list(guide.versions.select_related("published_by__profile").defer("body", "body_html"))


def version(guide: Guide, number: int) -> GuideVersion:
    found = guide.versions.select_related("published_by__profile").filter(number=number).first()
    if found is None:
        raise Http404
    return found


def review_trail(guide: Guide, *, limit: int = 100) -> list[ReviewComment]:
    return list(guide.comments.select_related("author__profile").order_by("-id")[:limit])[::-1]


def open_suggestions(guide: Guide, *, limit: int = 50) -> list[CorrectionSuggestion]:
    return list(
        guide.suggestions.filter(status=CorrectionSuggestion.Status.OPEN)
        .select_related("author__profile", "version")
        .order_by("-id")[:limit]
    )


def desk(user: User, *, limit: int = 50) -> dict:
    """What a writer or reviewer works on: their own guides (with corrections readers sent),
    and, for coordinators, guides waiting for review."""
    if not user.is_authenticated:
        return {"mine": [], "to_review": [], "coordinates": False}
    due, coordinates = _due_for_review(user)
    return {
        "mine": list(
            _with_open_corrections(Guide.objects.filter(authors=user))
            .exclude(status=Guide.Status.ARCHIVED)
            .select_related("cluster", "current_version")
            .order_by("-updated_at", "-id")[:limit]
        ),
        "to_review": list(
            Guide.objects.filter(due)
            .select_related("cluster", "current_version")
            .order_by("updated_at", "id")[:limit]
        ),
        "coordinates": coordinates,
    }


# What a line of "My network" shows of a guide: never its body. A guide to review names its
# cluster too.
_LISTED = ("title", "status")


def needing(user: User, *, limit: int = 5) -> dict:
    """The desk's guides that need this person now, newest first: their own drafts, guides
    sent back or due to be checked again, and those with corrections readers sent; and the
    guides waiting for their review, oldest first."""
    coordinated = [cluster.pk for cluster in coordinated_clusters_of(user)]
    agency = agency_of(user)
    if agency is None:
        # Someone who reviews nothing has nothing to read.
        to_review = (
            _to_review(coordinated=coordinated, limit=limit, officer=False) if coordinated else []
        )
    else:
        to_review = _to_review(
            coordinated=coordinated, agency=agency.pk, limit=limit, officer=True
        )
    return {"mine": _drafts_needing(author=user.pk, limit=limit), "to_review": to_review}


@compiled_read(shape=("limit",))
def _drafts_needing(p, *, limit: int):
    to_finish = Q(status__in=[Guide.Status.DRAFT, Guide.Status.NEEDS_REVIEW])
    return (
        _with_open_corrections(Guide.objects.filter(authors=p.author))
        .filter(to_finish | Q(open_corrections__gt=0))
        .exclude(status=Guide.Status.ARCHIVED)
        .only(*_LISTED)
        .order_by("-updated_at", "-id")[:limit]
    )


@compiled_read(shape=("limit", "officer"))
def _to_review(p, *, limit: int, officer: bool):
    due = _due(p.many("coordinated"), p.agency if officer else None)
    return (
        Guide.objects.filter(due)
        .select_related("cluster")
        .only(*_LISTED, "cluster__name")
        .order_by("updated_at", "id")[:limit]
    )


def _with_open_corrections(guides: QuerySet[Guide]) -> QuerySet[Guide]:
    open_corrections = Q(suggestions__status=CorrectionSuggestion.Status.OPEN)
    return guides.annotate(open_corrections=Count("suggestions", filter=open_corrections))


def _due_for_review(user: User) -> tuple[Q, bool]:
    """Which guides wait for this person's review, and whether they review any at all."""
    coordinated = [cluster.pk for cluster in coordinated_clusters_of(user)]
    agency = agency_of(user)
    return _due(coordinated, agency), agency is not None or bool(coordinated)


def _due(coordinated, agency) -> Q:
    """Guides waiting for review in these clusters (ids, or a compiled read's values) and,
    for an agency's officer (the agency, or a parameter), in the clusters it sponsors."""
    due = Q(status__in=[Guide.Status.REVIEW, Guide.Status.NEEDS_REVIEW])
    if agency is None:
        return due & Q(cluster__in=coordinated)
    # The agency's officers review what every coordinator of a cluster it sponsors wrote.
    return (due & Q(cluster__in=coordinated)) | (
        Q(status=Guide.Status.REVIEW, cluster__in=sponsored_clusters(agency).values("pk"))
        & ~Exists(_coordinator_not_among_authors())
    )


def _coordinator_not_among_authors() -> QuerySet[Membership]:
    """An active coordinator of the outer guide's cluster who is not one of its authors."""
    authors = Guide.authors.through.objects.filter(guide_id=OuterRef(OuterRef("pk")))
    return (
        Membership.objects.coordinators()
        .filter(cluster_id=OuterRef("cluster_id"))
        .exclude(user_id__in=authors.values("user_id"))
    )


def writable_clusters(user: User):
    """Clusters where this person may start a guide."""
    return (
        Membership.objects.active()
        .of(user)
        .filter(role__in=access.WRITER_ROLES)
        .select_related("cluster")
        .order_by("cluster__name")
    )
