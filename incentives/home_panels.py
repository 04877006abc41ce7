"""Incentives' panels on "My network": a member's credits and confirmations, a coordinator's
review queue, an officer's budgets and months to approve."""

from core import home_panels
from core.compiled import compiled_read
from incentives import selectors
from network.models import User
from network.selectors import coordinated_clusters_of

SHOWN = 5


@compiled_read()
def _accounts(p):
    return (
        selectors.member_accounts(p.member)
        .select_related("programme")
        .only("balance", "programme__name", "programme__unit")
    )


@compiled_read()
def _to_confirm(p):
    return (
        selectors.waiting_for_counterpart(p.member)
        .select_related("actor__profile")
        .only("kind", "occurred_at", "actor__profile__display_name")
        .order_by("occurred_at")[:SHOWN]
    )


def member_panel(*, user: User) -> dict | None:
    """Confirmations the person owes others, and what they earned or wait for."""
    accounts = _accounts(member=user.pk)
    to_confirm = _to_confirm(member=user.pk)
    pending = selectors.undecided_count(user)
    if not accounts and not to_confirm and not pending:
        return None
    return {"accounts": accounts, "to_confirm": to_confirm, "pending": pending}


def review_panel(*, user: User) -> dict | None:
    """Contributions waiting for this coordinator's decision, per cluster."""
    clusters = coordinated_clusters_of(user)[:10]
    if not clusters:
        return None
    waiting = selectors.review_counts(clusters)
    rows = [(cluster, waiting[cluster.pk]) for cluster in clusters if waiting.get(cluster.pk)]
    return {"queues": rows} if rows else None


def officer_panel(*, user: User) -> dict | None:
    """Each programme's budget used, and last month's credits if nobody approved them yet."""
    agency = selectors.agency_of(user)
    if agency is None:
        return None
    programmes = selectors.programmes_of_agency(agency, limit=SHOWN, ending_last=True)
    if not programmes:
        return None
    month = selectors.last_month()
    to_approve = selectors.credits_to_approve(programmes, month)
    rows = []
    for programme in programmes:
        used = programme.budget - selectors.budget_left(programme)
        rows.append(
            {
                "programme": programme,
                "used": used,
                "percent": int(used * 100 / programme.budget) if programme.budget else 0,
                "to_approve": to_approve[programme.pk],
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
