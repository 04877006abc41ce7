"""Reads the incentive pages need, each limited to what the viewer may see."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from incentives.models import Account, Contribution, LedgerEntry, Programme, Rule, RuleChange
from incentives.programmes import is_officer
from network.models import Cluster, Membership, User

Status = Contribution.Status


def programme_for(user: User, programme_id: int) -> Programme:
    """The programme if the viewer is an officer of its agency; 404 for everyone else."""
    programme = Programme.objects.select_related("agency").filter(pk=programme_id).first()
    if programme is None or not user.is_authenticated or not is_officer(user, programme):
        raise Http404
    return programme


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


def to_confirm_by(user: User) -> list[Contribution]:
    """Contributions waiting for this person, as the one helped, to confirm."""
    rule = Rule.objects.filter(
        programme=OuterRef("programme"),
        kind=OuterRef("kind"),
        confirmer=Rule.Confirmer.COUNTERPART,
    )
    return list(
        Contribution.objects.filter(
            Exists(rule), counterpart=user, status=Status.PENDING, confirmed_at__isnull=True
        )
        .select_related("actor__profile", "cluster", "programme")
        .order_by("occurred_at")[:50]
    )


def my_accounts(user: User) -> list[Account]:
    return list(
        Account.objects.filter(member=user, kind=Account.Kind.MEMBER)
        .select_related("programme")
        .order_by("programme__name")
    )


def _as_date(month) -> datetime.date:
    return month.date() if isinstance(month, datetime.datetime) else month


def accounts_with_months(user: User, limit: int = 12) -> list[tuple[Account, list]]:
    """The member's accounts, each with its latest months that have entries: two queries,
    however many programmes the member earns in."""
    accounts = my_accounts(user)
    by_account: dict[int, set] = {account.pk: set() for account in accounts}
    for side in ("debit", "credit"):
        rows = (
            LedgerEntry.objects.filter(**{f"{side}__in": list(by_account)})
            .annotate(month=TruncMonth("created_at"))
            .values_list(side, "month")
            .distinct()
        )
        for account_id, month in rows:
            by_account[account_id].add(_as_date(month))
    return [
        (account, sorted(by_account[account.pk], reverse=True)[:limit]) for account in accounts
    ]


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
    return dict(
        Contribution.objects.filter(_waiting_for_coordinators(), cluster__in=clusters)
        .values("cluster")
        .annotate(n=Count("id"))
        .values_list("cluster", "n")
    )


def coordinates(user: User, cluster: Cluster) -> bool:
    return Membership.objects.filter(
        user=user,
        cluster=cluster,
        role=Membership.Role.COORDINATOR,
        status=Membership.Status.ACTIVE,
    ).exists()


def rule_changes(programme: Programme, limit: int = 20) -> list[RuleChange]:
    """Who set which rule when, latest first."""
    return list(
        RuleChange.objects.filter(rule__programme=programme)
        .select_related("rule", "changed_by__profile")
        .order_by("-changed_at", "-id")[:limit]
    )


def recent_contributions(programme: Programme, limit: int = 50) -> list[Contribution]:
    return list(
        programme.contributions.select_related("actor__profile", "cluster").order_by(
            "-occurred_at", "-id"
        )[:limit]
    )


def earned_by_member(programme: Programme, month: datetime.date) -> list[dict]:
    """Each member's net credits posted in the month, for approval and payment."""
    from incentives.ledger import month_bounds

    start, end = month_bounds(month)
    entries = LedgerEntry.objects.filter(
        programme=programme,
        created_at__gte=start,
        created_at__lt=end,
        kind__in=[LedgerEntry.Kind.CREDIT, LedgerEntry.Kind.REVERSAL],
    )
    incoming = dict(
        entries.filter(credit__kind=Account.Kind.MEMBER)
        .values("credit__member")
        .annotate(t=Sum("amount"))
        .values_list("credit__member", "t")
    )
    outgoing = dict(
        entries.filter(debit__kind=Account.Kind.MEMBER)
        .values("debit__member")
        .annotate(t=Sum("amount"))
        .values_list("debit__member", "t")
    )
    people = User.objects.filter(pk__in=set(incoming) | set(outgoing)).select_related("profile")
    paid = set(programme.payouts.filter(month=start.date()).values_list("member_id", flat=True))
    return [
        {
            "member": person,
            "amount": (incoming.get(person.pk) or 0) - (outgoing.get(person.pk) or 0),
            "paid": person.pk in paid,
        }
        for person in sorted(people, key=lambda p: p.profile.display_name)
    ]
