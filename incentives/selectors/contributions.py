"""Reads of contributions and rules, each limited to what the viewer may see."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from core.compiled import compiled_read, counted
from incentives.models import Contribution, Programme, Rule, RuleChange
from incentives.selectors.programmes import programme_for
from network.models import Cluster, User

Status = Contribution.Status


def contribution_for_officer(user: User, contribution_id: int) -> Contribution:
    contribution = (
        Contribution.objects.select_related("programme").filter(pk=contribution_id).first()
    )
    if contribution is None or contribution.programme is None:
        raise Http404
    programme_for(user, contribution.programme_id)
    return contribution


def my_contributions(user: User, limit: int = 50) -> list[Contribution]:
    return list(
        Contribution.objects.filter(actor=user)
        .select_related("programme", "cluster", "counterpart__profile")
        .order_by("-occurred_at", "-id")[:limit]
    )


def undecided_count(user: User) -> int:
    """How many of the person's contributions still wait for a confirmation or a decision."""
    (count,) = _undecided(actor=user.pk)
    return count


@compiled_read()
def _undecided(p):
    return counted(
        Contribution.objects.filter(actor=p.actor, status__in=[Status.PENDING, Status.REVIEW])
    )


def to_confirm_by(user: User) -> list[Contribution]:
    """Contributions waiting for this person, as the one helped, to confirm."""
    return list(
        waiting_for_counterpart(user)
        .select_related("actor__profile", "cluster", "programme")
        .order_by("occurred_at")[:50]
    )


def waiting_for_counterpart(user: User) -> QuerySet[Contribution]:
    """Contributions whose rule leaves it to this person, the one helped, to confirm them."""
    rule = Rule.objects.filter(
        programme=OuterRef("programme"),
        kind=OuterRef("kind"),
        confirmer=Rule.Confirmer.COUNTERPART,
    )
    return Contribution.objects.filter(
        Exists(rule), counterpart=user, status=Status.PENDING, confirmed_at__isnull=True
    )


def _waiting_for_coordinators() -> Q:
    """Flagged contributions, and pending ones whose rule gives the decision to a
    coordinator: the rule of the contribution's own programme, since another programme
    covering the cluster may leave the same kind to the person helped."""
    coordinator_rule = Rule.objects.filter(
        programme=OuterRef("programme"),
        kind=OuterRef("kind"),
        confirmer=Rule.Confirmer.COORDINATOR,
    )
    return Q(status=Status.REVIEW) | Q(Exists(coordinator_rule), status=Status.PENDING)


def review_queue(cluster: Cluster) -> list[Contribution]:
    """What a coordinator decides, oldest first."""
    return list(
        Contribution.objects.filter(_waiting_for_coordinators(), cluster=cluster)
        .select_related("actor__profile", "counterpart__profile", "programme")
        .order_by("occurred_at", "id")[:100]
    )


def review_counts(clusters: list[Cluster]) -> dict[int, int]:
    """How many contributions wait in each cluster's review queue, in one query."""
    return dict(_review_counts(clusters=[cluster.pk for cluster in clusters]))


@compiled_read()
def _review_counts(p):
    return (
        Contribution.objects.filter(_waiting_for_coordinators(), cluster__in=p.many("clusters"))
        .values("cluster")
        .annotate(n=Count("id"))
        .values_list("cluster", "n")
    )


def rule_changes(programme: Programme, limit: int = 20) -> list[RuleChange]:
    """Who set which rule when, latest first: what each line of the programme page says."""
    return _rule_changes(programme=programme.pk, limit=limit)


@compiled_read(shape=("limit",))
def _rule_changes(p, *, limit: int):
    return (
        RuleChange.objects.filter(rule__programme=p.programme)
        .select_related("rule", "changed_by__profile")
        .only(
            "changed_at",
            "amount",
            "confirmer",
            "min_attendees",
            "is_active",
            "rule__kind",
            "changed_by__profile__display_name",
        )
        .order_by("-changed_at", "-id")[:limit]
    )


def recent_contributions(programme: Programme, limit: int = 50) -> list[Contribution]:
    """The programme's latest contributions, read for the lines of its page: when, who, what
    and where, its status and why, and the amount."""
    contributions = _recent(programme=programme.pk, limit=limit)
    for contribution in contributions:
        contribution.programme = programme  # as the programme's related manager would set it
    return contributions


@compiled_read(shape=("limit",))
def _recent(p, *, limit: int):
    return (
        Contribution.objects.filter(programme=p.programme)
        .select_related("actor__profile", "cluster")
        .only(*_LISTED)
        .order_by("-occurred_at", "-id")[:limit]
    )


_LISTED = (
    "programme",  # the related manager sets each one's programme, read by its id
    "occurred_at",
    "kind",
    "status",
    "reason",
    "reason_code",
    "reason_data",
    "amount",
    "actor__profile__display_name",
    "cluster__name",
)
