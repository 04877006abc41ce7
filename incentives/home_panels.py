"""Incentives' panels on "My network": a member's credits and confirmations, a coordinator's
review queue, an officer's budgets and months to approve."""

import datetime

from django.db.models import Count
from django.utils import timezone

from core import home_panels
from incentives import ledger, selectors
from incentives.models import Contribution, LedgerEntry, PeriodApproval
from incentives.programmes import programmes_of
from network.models import Membership, User

SHOWN = 5


def member_panel(*, user: User) -> dict | None:
    """Confirmations the person owes others, and what they earned or wait for."""
    accounts = selectors.my_accounts(user)
    to_confirm = selectors.to_confirm_by(user)[:SHOWN]
    pending = Contribution.objects.filter(
        actor=user, status__in=[Contribution.Status.PENDING, Contribution.Status.REVIEW]
    ).count()
    if not accounts and not to_confirm and not pending:
        return None
    return {"accounts": accounts, "to_confirm": to_confirm, "pending": pending}


def review_panel(*, user: User) -> dict | None:
    """Contributions waiting for this coordinator's decision, per cluster."""
    clusters = [
        membership.cluster
        for membership in Membership.objects.filter(
            user=user, status=Membership.Status.ACTIVE, role=Membership.Role.COORDINATOR
        ).select_related("cluster")[:10]
    ]
    waiting = selectors.review_counts(clusters)
    rows = [(cluster, waiting[cluster.pk]) for cluster in clusters if waiting.get(cluster.pk)]
    return {"queues": rows} if rows else None


def _last_month() -> datetime.date:
    this_month = ledger.month_start(timezone.localdate())
    return ledger.month_start(this_month - datetime.timedelta(days=1))


def officer_panel(*, user: User) -> dict | None:
    """Each programme's budget used, and last month's credits if nobody approved them yet."""
    programmes = list(programmes_of(user).order_by("-ends_on", "name")[:SHOWN])
    if not programmes:
        return None
    month = _last_month()
    start, end = ledger.month_bounds(month)
    approved = set(
        PeriodApproval.objects.filter(programme__in=programmes, month=month).values_list(
            "programme_id", flat=True
        )
    )
    credits = dict(
        LedgerEntry.objects.filter(
            programme__in=programmes,
            kind=LedgerEntry.Kind.CREDIT,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("programme")
        .annotate(n=Count("id"))
        .values_list("programme", "n")
    )
    rows = []
    for programme in programmes:
        used = programme.budget - ledger.budget_left(programme)
        rows.append(
            {
                "programme": programme,
                "used": used,
                "percent": int(used * 100 / programme.budget) if programme.budget else 0,
                "to_approve": 0 if programme.pk in approved else credits.get(programme.pk, 0),
            }
        )
    return {"programmes": rows, "month": month}


home_panels.register(home_panels.Panel("review", 5, "incentives/panels/review.html", review_panel))
home_panels.register(
    home_panels.Panel("officer", 8, "incentives/panels/officer.html", officer_panel)
)
home_panels.register(
    home_panels.Panel("credits", 40, "incentives/panels/credits.html", member_panel)
)
