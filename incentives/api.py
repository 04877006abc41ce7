"""The agencies' JSON API: token authentication, scoped to the officer's own programmes.

The OpenAPI schema is served at /api/agency/openapi.json (no documentation page: it would
load scripts from a CDN). Apps above incentives add their routers to `api` from their own
ready() (the evidence app: export outcomes and impact estimates).
"""

import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.security import HttpBearer

from incentives import selectors
from incentives.models import Account, ApiToken, Contribution, LedgerEntry, Programme
from network.models import Cluster

MAX_PAGE = 500


class OfficerToken(HttpBearer):
    """Authorization: Bearer pio_…, a key an officer created on their agency page."""

    def authenticate(self, request, token):
        found = ApiToken.find(token)
        if found is None or selectors.agency_of(found.user) is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Pioneros agency API",
    version="1",
    urls_namespace="agency_api",
    auth=OfficerToken(),
    docs_url=None,
)


class ProgrammeOut(Schema):
    id: int
    name: str
    unit: str
    starts_on: datetime.date
    ends_on: datetime.date
    budget: Decimal
    budget_used: Decimal
    budget_left: Decimal
    clusters: list[str]


class ContributionOut(Schema):
    id: int
    kind: str
    status: str
    amount: Decimal
    reason: str
    reason_code: str
    actor_id: int
    counterpart_id: int | None
    cluster: str
    occurred_at: datetime.datetime
    hours: Decimal
    flags: list[dict]


class EntryOut(Schema):
    id: int
    kind: str
    debit_account: int
    credit_account: int
    amount: Decimal
    contribution_id: int | None
    reverses_id: int | None
    memo: str
    created_at: datetime.datetime


class BalanceOut(Schema):
    account: int
    kind: str
    member_id: int | None
    balance: Decimal


class ErrorOut(Schema):
    """What every refusal answers: 401 without a valid key, 404 for a programme that is
    not the agency's (or does not exist: the two are never told apart)."""

    detail: str


class InvalidOut(Schema):
    """422: a query or path value of the wrong type; one entry per problem."""

    detail: list[dict]


# Documented so clients, and the schema tests, know every answer they can get.
REFUSALS = {401: ErrorOut}
PROGRAMME_REFUSALS = {401: ErrorOut, 404: ErrorOut, 422: InvalidOut}


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


@api.get("/programmes", response={200: list[ProgrammeOut], **REFUSALS})
def list_programmes(request):
    """The agency's programmes: three queries however many there are."""
    rows = (
        selectors.with_budget_left(selectors.programmes_of(request.user))
        .prefetch_related(Prefetch("clusters", queryset=Cluster.objects.order_by("name")))
        .order_by("pk")
    )
    # SQLite hands the subquery's decimal back without its cents.
    return [_programme_out(p, left=Decimal(p.left or 0).quantize(selectors.CENT)) for p in rows]


def _programme_out(programme: Programme, *, left: Decimal | None = None) -> dict:
    if left is None:
        left = selectors.budget_left(programme)
    return {
        "id": programme.pk,
        "name": programme.name,
        "unit": programme.unit,
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "budget": programme.budget,
        "budget_used": programme.budget - left,
        "budget_left": left,
        "clusters": sorted(c.name for c in programme.clusters.all()),
    }


@api.get("/programmes/{programme_id}", response={200: ProgrammeOut, **PROGRAMME_REFUSALS})
def get_programme(request, programme_id: int):
    return _programme_out(selectors.programme_for(request.user, programme_id))


@api.get(
    "/programmes/{programme_id}/contributions",
    response={200: list[ContributionOut], **PROGRAMME_REFUSALS},
)
def list_contributions(request, programme_id: int, after: int = 0, limit: int = 100):
    """Oldest first; pass the last id you received as `after` for the next page."""
    programme = selectors.programme_for(request.user, programme_id)
    rows = (
        Contribution.objects.filter(programme=programme, pk__gt=after)
        .select_related("cluster")
        .order_by("pk")[: _limit(limit)]
    )
    return [
        {
            "id": c.pk,
            "kind": c.kind,
            "status": c.status,
            "amount": c.amount,
            "reason": c.reason_text,
            "reason_code": c.reason_code,
            "actor_id": c.actor_id,
            "counterpart_id": c.counterpart_id,
            "cluster": c.cluster.name,
            "occurred_at": c.occurred_at,
            "hours": c.hours,
            "flags": c.flags,
        }
        for c in rows
    ]


@api.get(
    "/programmes/{programme_id}/entries", response={200: list[EntryOut], **PROGRAMME_REFUSALS}
)
def list_entries(request, programme_id: int, after: int = 0, limit: int = 100):
    """The ledger, oldest first, by keyset like contributions."""
    programme = selectors.programme_for(request.user, programme_id)
    rows = LedgerEntry.objects.filter(programme=programme, pk__gt=after).order_by("pk")
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "debit_account": e.debit_id,
            "credit_account": e.credit_id,
            "amount": e.amount,
            "contribution_id": e.contribution_id,
            "reverses_id": e.reverses_id,
            "memo": e.memo,
            "created_at": e.created_at,
        }
        for e in rows[: _limit(limit)]
    ]


@api.get(
    "/programmes/{programme_id}/balances",
    response={200: list[BalanceOut], **PROGRAMME_REFUSALS},
)
def list_balances(request, programme_id: int, after: int = 0, limit: int = 100):
    """Every account's balance, by account id; keyset pages like contributions."""
    programme = selectors.programme_for(request.user, programme_id)
    rows = Account.objects.filter(programme=programme, pk__gt=after).order_by("pk")
    return [
        {"account": a.pk, "kind": a.kind, "member_id": a.member_id, "balance": a.balance}
        for a in rows[: _limit(limit)]
    ]
