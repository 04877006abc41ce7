"""Agency officers manage their own programmes: terms, rules, approvals and payouts."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import clean_text
from incentives import ledger
from incentives.errors import IncentiveError, NotAllowed
from incentives.models import (
    CONFIRMED_BY_COUNTERPART,
    ApiToken,
    ContributionKind,
    Payout,
    PeriodApproval,
    Programme,
    Rule,
    RuleChange,
)
from network import selectors as network_selectors
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
    """Only clusters whose sponsorship by the agency both sides agreed and nobody ended."""
    return network_selectors.sponsored_clusters(agency)


# Amounts are stored with 14 digits, 2 after the point; budgets grow, so leave them headroom.
MAX_AMOUNT = Decimal("100000000000")  # 10^11, a tenth of what the columns hold


def _money(value, message) -> Decimal:
    """A positive amount in cents below MAX_AMOUNT; anything else is refused with `message`."""
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        raise IncentiveError(message) from None
    if not amount.is_finite() or amount <= 0:
        raise IncentiveError(message)
    if amount >= MAX_AMOUNT:
        raise IncentiveError(gettext_lazy("That amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise IncentiveError(gettext_lazy("Amounts have at most two decimals."))
    return amount


def _check_terms(
    *, agency, clusters, starts_on, ends_on, budget, cap_per_member_month, cap_per_pair_month
) -> list[Cluster]:
    clusters = list(clusters)
    if not clusters:
        raise IncentiveError(gettext_lazy("Choose at least one cluster."))
    sponsored = set(
        sponsored_clusters(agency)
        .filter(pk__in=[c.pk for c in clusters])
        .values_list("pk", flat=True)
    )
    if any(cluster.pk not in sponsored for cluster in clusters):
        raise IncentiveError(
            gettext_lazy("A programme covers only clusters your agency sponsors.")
        )
    if ends_on < starts_on:
        raise IncentiveError(gettext_lazy("The programme must end after it starts."))
    _money(budget, gettext_lazy("The budget must be more than zero."))
    for cap in (cap_per_member_month, cap_per_pair_month):
        if cap is not None:
            _money(cap, gettext_lazy("Caps must be more than zero, or left empty."))
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
    name = clean_text(name, model=Programme, field="name", error=IncentiveError)
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
    if unit not in Programme.Unit.values:
        raise IncentiveError(gettext_lazy("Choose the programme's unit."))
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
    amount = _money(amount, gettext_lazy("Add an amount more than zero."))
    if programme.budget + amount >= MAX_AMOUNT:
        raise IncentiveError(gettext_lazy("The budget cannot grow that large."))
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
    """What a kind of contribution earns from now on; credits already made stay as they are.

    Each change is kept, with who made it and when, beside the rule.
    """
    require_officer(by, programme)
    if kind not in ContributionKind.values:
        raise IncentiveError(gettext_lazy("Unknown kind of contribution."))
    if confirmer not in Rule.Confirmer.values:
        raise IncentiveError(gettext_lazy("Choose who confirms it."))
    if confirmer == Rule.Confirmer.COUNTERPART and kind not in CONFIRMED_BY_COUNTERPART:
        # Nobody helped is named for these: they would wait for a confirmation forever.
        raise IncentiveError(
            gettext_lazy("Nobody else takes part in this contribution: a coordinator confirms it.")
        )
    amount = _money(amount, gettext_lazy("The amount must be more than zero."))
    if not 0 <= min_attendees <= 1000:
        raise IncentiveError(gettext_lazy("Attendees must be between 0 and 1000."))
    # One officer's change at a time per programme, so the history is in the order applied.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
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
    RuleChange.objects.create(
        rule=rule,
        amount=amount,
        confirmer=confirmer,
        min_attendees=min_attendees,
        is_active=is_active,
        changed_by=by,
    )
    return rule


def approve_month(*, programme: Programme, month: datetime.date, by: User) -> PeriodApproval:
    require_officer(by, programme)
    return ledger.approve_month(programme=programme, month=month, by=by)


def pay(
    *, programme: Programme, member: User, month: datetime.date, reference: str, by: User
) -> Payout:
    reference = clean_text(reference, model=Payout, field="reference", error=IncentiveError)
    require_officer(by, programme)
    return ledger.pay(programme=programme, member=member, month=month, reference=reference, by=by)


def issue_api_key(*, by: User, name: str) -> tuple[ApiToken, str]:
    name = clean_text(name, model=ApiToken, field="name", error=IncentiveError)
    """A key to the agency API for an officer; the key itself is returned once, never kept."""
    if agency_of(by) is None:
        raise NotAllowed(gettext_lazy("Only officers of an export-promotion agency get API keys."))
    if not name.strip():
        raise IncentiveError(gettext_lazy("Say what the key is for (up to 100 characters)."))
    return ApiToken.issue(user=by, name=name.strip()[:100])


@transaction.atomic
def revoke_api_key(*, token: ApiToken, by: User) -> ApiToken:
    """The key stops working at once; the row stays, with when it was revoked."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != by.pk:
        raise NotAllowed()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def erasure_refusals(user: User) -> list:
    """An agency's only officer cannot erase their account while its programmes run or owe
    members credits not yet paid: nobody would be left to approve and pay them. Another
    officer joins first."""
    from incentives.models import Account

    agency = agency_of(user)
    if agency is None:
        return []
    colleagues = User.objects.filter(
        profile__organization=agency, is_active=True, erased_at__isnull=True
    ).exclude(pk=user.pk)
    running = Programme.objects.filter(agency=agency, ends_on__gte=timezone.localdate())
    unpaid = Account.objects.filter(
        programme__agency=agency, kind=Account.Kind.MEMBER, balance__gt=0
    )
    if colleagues.exists() or not (running.exists() or unpaid.exists()):
        return []
    return [
        _(
            "You are the only officer of %(agency)s, whose programmes are still running or "
            "owe members credits not yet paid. "
            "Ask another officer of the agency to join Pioneros first, so members' credits "
            "can still be approved and paid."
        )
        % {"agency": agency.name}
    ]
