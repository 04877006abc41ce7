"""Reads of the diagnostic: which questionnaire a firm takes, its pages, the firm's results
over time, who may read an assessment, and the aggregates coordinators and agencies see
(groups of fewer than MIN_FIRMS firms suppressed)."""

from dataclasses import dataclass, field

from django.db.models import JSONField, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from network.models import Cluster, Membership, Organization, User
from readiness import access, dimensions, scoring
from readiness.models import Assessment, Choice, Question, Questionnaire

MIN_FIRMS = 5


@dataclass
class Page:
    dimension: str
    name: str
    questions: list[Question]


def _firm_id(user: User) -> int | None:
    profile = getattr(user, "profile", None)
    organization = getattr(profile, "organization", None)
    if organization is None or organization.kind != Organization.Kind.FIRM:
        return None
    return organization.pk


def _latest_published(query: QuerySet[Questionnaire]) -> Questionnaire | None:
    return query.filter(published_at__isnull=False).order_by("-published_at", "-pk").first()


def default_questionnaire() -> Questionnaire | None:
    return _latest_published(Questionnaire.objects.filter(cluster=None, programme=None))


def questionnaire_for(user: User) -> Questionnaire | None:
    """Its cluster's own version if one of the person's clusters adapted it, else the one of a
    programme covering those clusters, else the shipped default."""
    cluster_ids = list(
        Membership.objects.active().of(user).values_list("cluster_id", flat=True).order_by("pk")
    )
    own = _latest_published(Questionnaire.objects.filter(cluster_id__in=cluster_ids))
    if own is not None:
        return own
    programme = _latest_published(
        Questionnaire.objects.filter(programme__clusters__in=cluster_ids).distinct()
    )
    return programme or default_questionnaire()


def pages_of(questionnaire: Questionnaire) -> list[Page]:
    """One page per dimension the questionnaire asks about, in the fixed order."""
    questions = (
        Question.objects.filter(questionnaire=questionnaire)
        .select_related("questionnaire")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "id")))
    )
    by_dimension: dict[str, list[Question]] = {}
    for question in questions:
        by_dimension.setdefault(question.dimension, []).append(question)
    return [
        Page(code, dimensions.name(code), by_dimension[code])
        for code in dimensions.CODES
        if code in by_dimension
    ]


def draft_of(user: User) -> Assessment | None:
    firm = _firm_id(user)
    if firm is None:
        return None
    return Assessment.objects.filter(organization_id=firm, status=Assessment.Status.DRAFT).first()


def submitted_of(organization_id: int) -> list[Assessment]:
    """The firm's submissions, oldest first."""
    return list(
        Assessment.objects.filter(
            organization_id=organization_id, status=Assessment.Status.SUBMITTED
        ).order_by("submitted_at", "pk")
    )


def own_assessment(user: User, assessment_id: int) -> Assessment:
    """An assessment of the person's own firm; 404 otherwise."""
    firm = _firm_id(user)
    assessment = (
        Assessment.objects.select_related("questionnaire", "organization")
        .filter(pk=assessment_id, organization_id=firm)
        .first()
    )
    if firm is None or assessment is None:
        raise Http404
    return assessment


def readable_assessment(user: User, assessment_id: int) -> tuple[Assessment, bool]:
    """A submitted assessment the person may read, and whether it is their own firm's: the
    firm's people always, its mentors while the firm shares it; 404 for everyone else."""
    assessment = (
        Assessment.objects.select_related("questionnaire", "organization")
        .filter(pk=assessment_id, status=Assessment.Status.SUBMITTED)
        .first()
    )
    if assessment is None or not user.is_authenticated:
        raise Http404
    if _firm_id(user) == assessment.organization_id:
        return assessment, True
    if assessment.shared_with_mentors and access.mentors_firm(
        viewer=user, organization_id=assessment.organization_id
    ):
        return assessment, False
    raise Http404


def shared_with_mentor(*, viewer: User, follower: User) -> Assessment | None:
    """The follower's firm's latest diagnostic, when the viewer mentors it and the firm
    shares it: what the pairing page links to."""
    organization_id = follower.profile.organization_id
    if organization_id is None or viewer.pk == follower.pk:
        return None
    latest = (
        Assessment.objects.filter(organization_id=organization_id, status="submitted")
        .order_by("-submitted_at", "-pk")
        .only("pk", "shared_with_mentors", "submitted_at")
        .first()
    )
    if latest is None or not latest.shared_with_mentors:
        return None
    return latest


def answers_of(assessment: Assessment) -> list[tuple[Page, list[tuple[Question, Choice]]]]:
    chosen = dict(assessment.answers.values_list("question_id", "choice_id"))
    result = []
    for page in pages_of(assessment.questionnaire):
        rows = []
        for question in page.questions:
            choice = next(
                (c for c in question.choices.all() if c.pk == chosen.get(question.pk)), None
            )
            rows.append((question, choice))
        result.append((page, rows))
    return result


def latest_scores(organization_ids) -> dict[int, dict[str, int]]:
    """The latest submission's scores per firm."""
    rows = (
        Assessment.objects.filter(
            organization_id__in=set(organization_ids) - {None},
            status=Assessment.Status.SUBMITTED,
        )
        .order_by("organization_id", "submitted_at", "pk")
        .values_list("organization_id", "scores")
    )
    return dict(rows)  # later rows overwrite earlier ones


def _shared() -> QuerySet[Assessment]:
    """Submissions of firms that share their diagnostic with mentors (sharing is the firm's
    choice, the same on all its submissions): the only ones matching may weigh."""
    return Assessment.objects.filter(status=Assessment.Status.SUBMITTED, shared_with_mentors=True)


def shared_scores_expression(organization_id) -> Subquery:
    """The latest submission's scores of the firm `organization_id` names (an OuterRef), when
    the firm shares its diagnostic, for a read that needs them beside its own rows without a
    query of its own."""
    latest = _shared().filter(organization_id=organization_id).order_by("-submitted_at", "-pk")
    return Subquery(latest.values("scores")[:1], output_field=JSONField())


def weak_of(scores: dict | None) -> tuple[str, ...]:
    return tuple(scoring.weakest(scores or {}))


def shared_weak_dimensions_of(organization_ids) -> dict[int, tuple[str, ...]]:
    """Each firm's weak dimensions in its latest submission, weakest first, for the firms
    that share their diagnostic; a firm that keeps it to itself has none here."""
    rows = (
        _shared()
        .filter(organization_id__in=set(organization_ids) - {None})
        .order_by("organization_id", "submitted_at", "pk")
        .values_list("organization_id", "scores")
    )
    return {org: tuple(scoring.weakest(scores)) for org, scores in dict(rows).items()}


def _cluster_firm_ids(cluster_ids) -> set[int]:
    return set(
        Membership.objects.active()
        .filter(
            cluster_id__in=cluster_ids,
            user__profile__organization__kind=Organization.Kind.FIRM,
        )
        .values_list("user__profile__organization_id", flat=True)
    )


def suppressed(count: int) -> int | None:
    """A count of firms as shown beyond them: None when under MIN_FIRMS."""
    return count if count >= MIN_FIRMS else None


@dataclass
class Heatmap:
    firms: int | None  # firms with a submission, or None when too few to show anything
    rows: list[dict] = field(default_factory=list)  # per dimension: name, cells by band


def heatmap(cluster: Cluster) -> Heatmap:
    """Firms of the cluster per dimension and score band, from each firm's latest
    submission; nothing when fewer than MIN_FIRMS firms took it. In each dimension a cell
    is shown only when no firm's band can be told from it (`_disclosed`)."""
    scores = latest_scores(_cluster_firm_ids([cluster.pk]))
    total = suppressed(len(scores))
    rows = []
    for dimension in dimensions.DIMENSIONS:
        counts = {band: 0 for band in dimensions.BANDS}
        for firm_scores in scores.values():
            if dimension.code in firm_scores:
                counts[dimensions.band(firm_scores[dimension.code])] += 1
        shown = _disclosed(counts) if total else {}
        cells = [{"band": band, "count": shown.get(band)} for band in dimensions.BANDS]
        rows.append({"code": dimension.code, "name": dimension.name, "cells": cells})
    return Heatmap(firms=total, rows=rows)


def _disclosed(counts: dict[str, int]) -> dict[str, int]:
    """The cells of one dimension that may be shown, as band -> firms.

    A cell of fewer than MIN_FIRMS firms is hidden. Since the number of firms is shown, the
    hidden cells together must hold none or at least MIN_FIRMS firms, or one of them could
    be worked out by subtraction: while they hold 1 to MIN_FIRMS - 1, the smallest shown cell
    is hidden too. A band holding every firm is hidden as well: it would tell each firm's band.
    """
    firms = sum(counts.values())
    shown = {band: n for band, n in counts.items() if n >= MIN_FIRMS and n < firms}
    while shown and 0 < firms - sum(shown.values()) < MIN_FIRMS:
        del shown[min(shown, key=lambda band: (shown[band], band))]
    return shown


@dataclass
class Change:
    firms: int | None  # firms that took it at least twice, None when too few
    rows: list[dict] = field(default_factory=list)
    left_out: list[int] = field(default_factory=list)  # clusters not counted (see below)


def _reruns(cluster_ids) -> tuple[dict[int, set[int]], dict[int, dict], dict[int, dict]]:
    """Per cluster its firms that took the diagnostic twice or more, and every such firm's
    first and latest scores."""
    members = (
        Membership.objects.active()
        .filter(
            cluster_id__in=cluster_ids,
            user__profile__organization__kind=Organization.Kind.FIRM,
        )
        .values_list("cluster_id", "user__profile__organization_id")
        .distinct()
    )
    by_cluster: dict[int, set[int]] = {pk: set() for pk in cluster_ids}
    for cluster_id, org in members:
        by_cluster[cluster_id].add(org)
    first: dict[int, dict] = {}
    latest: dict[int, dict] = {}
    count: dict[int, int] = {}
    rows = (
        Assessment.objects.filter(
            organization_id__in=set().union(*by_cluster.values()),
            status=Assessment.Status.SUBMITTED,
        )
        .order_by("organization_id", "submitted_at", "pk")
        .values_list("organization_id", "scores")
    )
    for org, scores in rows:
        first.setdefault(org, scores)
        latest[org] = scores
        count[org] = count.get(org, 0) + 1
    rerun = {org for org, n in count.items() if n >= 2}
    return {pk: firms & rerun for pk, firms in by_cluster.items()}, first, latest


def programme_change(cluster_ids) -> Change:
    """Per dimension, the firms' average score at their first and their latest submission,
    among the programme's firms that took it at least twice; suppressed under MIN_FIRMS.

    A cluster is counted only when at least MIN_FIRMS of those firms are its own, members
    of no other cluster of the programme: two programmes whose clusters differ by one then
    differ by MIN_FIRMS firms at least, so subtracting one's figures from the other's
    never isolates a firm. The clusters left out are named."""
    cluster_ids = list(cluster_ids)
    by_cluster, first, latest = _reruns(cluster_ids)
    counted, left_out = set(), []
    for pk in cluster_ids:
        others = set().union(*(firms for other, firms in by_cluster.items() if other != pk))
        if len(by_cluster[pk] - others) >= MIN_FIRMS:
            counted |= by_cluster[pk]
        else:
            left_out.append(pk)
    total = suppressed(len(counted))
    result = []
    for dimension in dimensions.DIMENSIONS:
        pairs = [
            (first[org][dimension.code], latest[org][dimension.code])
            for org in sorted(counted)
            if dimension.code in first[org] and dimension.code in latest[org]
        ]
        shown = total is not None and suppressed(len(pairs)) is not None
        before = round(sum(a for a, _b in pairs) / len(pairs)) if shown else None
        after = round(sum(b for _a, b in pairs) / len(pairs)) if shown else None
        result.append(
            {
                "name": dimension.name,
                "firms": suppressed(len(pairs)) if total else None,
                "first": before,
                "latest": after,
                "change": after - before if shown else None,
            }
        )
    return Change(firms=total, rows=result, left_out=left_out)


def editable_questionnaires(*, cluster: Cluster | None = None, programme=None) -> list:
    """The owner's questionnaire versions, newest first."""
    owner = Q(cluster=cluster) if cluster is not None else Q(programme=programme)
    return list(Questionnaire.objects.filter(owner).order_by("-version", "-pk"))
