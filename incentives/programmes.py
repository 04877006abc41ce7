"""Agency officers manage their own programmes: terms, rules, approvals and payouts."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incentives import ledger
from incentives.errors import IncentiveError, NotAllowed
from incentives.models import ContributionKind, Payout, PeriodApproval, Programme, Rule
from network.models import Cluster, Organization, User


def agency_of(user: User) -> Organization | None:
    """The agency this person works for, if their organization is one."""
    if not user.is_authenticated:
        return None
    organization = user.profile.organization
    if organization is None or organization.kind != Organization.Kind.AGENCY:
        return None
    return organization


def is_officer(user: User, programme: Programme) -> bool:
    agency = agency_of(user)
    return agency is not None and agency.pk == programme.agency_id


def require_officer(user: User, programme: Programme) -> None:
    if not is_officer(user, programme):
        raise NotAllowed(gettext_lazy("Only the sponsoring agency's officers can do this."))


def programmes_of(user: User) -> QuerySet[Programme]:
    agency = agency_of(user)
    if agency is None:
        return Programme.objects.none()
    return Programme.objects.filter(agency=agency)


def sponsored_clusters(agency: Organization) -> QuerySet[Cluster]:
    return Cluster.objects.filter(sponsor=agency).order_by("name")


def _check_terms(
    *, agency, clusters, starts_on, ends_on, budget, cap_per_member_month, cap_per_pair_month
) -> list[Cluster]:
    clusters = list(clusters)
    if not clusters:
        raise IncentiveError(gettext_lazy("Choose at least one cluster."))
    if any(cluster.sponsor_id != agency.pk for cluster in clusters):
        raise IncentiveError(
            gettext_lazy("A programme covers only clusters your agency sponsors.")
        )
    if ends_on < starts_on:
        raise IncentiveError(gettext_lazy("The programme must end after it starts."))
    if budget is None or budget <= 0:
        raise IncentiveError(gettext_lazy("The budget must be more than zero."))
    for cap in (cap_per_member_month, cap_per_pair_month):
        if cap is not None and cap <= 0:
            raise IncentiveError(gettext_lazy("Caps must be more than zero, or left empty."))
    return clusters


@transaction.atomic
def create_programme(
    *,
    by: User,
    name: str,
    clusters: Iterable[Cluster],
    starts_on: datetime.date,
    ends_on: datetime.date,
    unit: str,
    budget: Decimal,
    cap_per_member_month: Decimal | None = None,
    cap_per_pair_month: Decimal | None = None,
) -> Programme:
    agency = agency_of(by)
    if agency is None:
        raise NotAllowed(
            gettext_lazy("Only officers of an export-promotion agency run programmes.")
        )
    clusters = _check_terms(
        agency=agency,
        clusters=clusters,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        cap_per_member_month=cap_per_member_month,
        cap_per_pair_month=cap_per_pair_month,
    )
    if not name.strip():
        raise IncentiveError(gettext_lazy("Give the programme a name."))
    programme = Programme.objects.create(
        agency=agency,
        name=name.strip()[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        unit=unit,
        budget=budget,
        cap_per_member_month=cap_per_member_month,
        cap_per_pair_month=cap_per_pair_month,
        created_by=by,
    )
    programme.clusters.set(clusters)
    ledger.fund(programme=programme, by=by, amount=budget, memo=_("Initial budget"))
    return programme


@transaction.atomic
def add_budget(*, programme: Programme, by: User, amount: Decimal) -> Programme:
    """Budgets only grow through a funding entry, never by editing a number."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    require_officer(by, programme)
    if amount is None or amount <= 0:
        raise IncentiveError(gettext_lazy("Add an amount more than zero."))
    ledger.fund(programme=programme, by=by, amount=amount, memo=_("Budget increase"))
    programme.budget += amount
    programme.save(update_fields=["budget"])
    return programme


@transaction.atomic
def set_rule(
    *,
    programme: Programme,
    by: User,
    kind: str,
    amount: Decimal,
    confirmer: str,
    min_attendees: int = 0,
    is_active: bool = True,
) -> Rule:
    """What a kind of contribution earns from now on; credits already made stay as they are."""
    require_officer(by, programme)
    if kind not in ContributionKind.values:
        raise IncentiveError(gettext_lazy("Unknown kind of contribution."))
    if confirmer not in Rule.Confirmer.values:
        raise IncentiveError(gettext_lazy("Choose who confirms it."))
    if amount is None or amount <= 0:
        raise IncentiveError(gettext_lazy("The amount must be more than zero."))
    if min_attendees < 0:
        raise IncentiveError(gettext_lazy("Attendees cannot be negative."))
    rule, _created = Rule.objects.update_or_create(
        programme=programme,
        kind=kind,
        defaults={
            "amount": amount,
            "confirmer": confirmer,
            "min_attendees": min_attendees,
            "is_active": is_active,
        },
    )
    return rule


def approve_month(*, programme: Programme, month: datetime.date, by: User) -> PeriodApproval:
    require_officer(by, programme)
    return ledger.approve_month(programme=programme, month=month, by=by)


def pay(
    *, programme: Programme, member: User, month: datetime.date, reference: str, by: User
) -> Payout:
    require_officer(by, programme)
    return ledger.pay(programme=programme, member=member, month=month, reference=reference, by=by)
