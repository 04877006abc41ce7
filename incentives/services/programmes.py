"""Agency officers manage their own programmes: terms, budget and what each contribution
earns."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from core.text import clean_text
from incentives.models import (
    CONFIRMED_BY_COUNTERPART,
    ContributionKind,
    Programme,
    Rule,
    RuleChange,
)
from incentives.selectors import agency_of, require_officer
from incentives.services import ledger
from network import selectors as network_selectors
from network.models import Cluster, Organization, User

# Amounts are stored with 14 digits, 2 after the point; budgets grow, so leave them headroom.
MAX_AMOUNT = Decimal("100000000000")  # 10^11, a tenth of what the columns hold


def _money(value, message) -> Decimal:
    """A positive amount in cents below MAX_AMOUNT; anything else is refused with `message`."""
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        raise DomainError(message) from None
    if not amount.is_finite() or amount <= 0:
        raise DomainError(message)
    if amount >= MAX_AMOUNT:
        raise DomainError(gettext_lazy("That amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(gettext_lazy("Amounts have at most two decimals."))
    return amount


def _check_terms(
    *,
    agency: Organization,
    clusters,
    starts_on,
    ends_on,
    budget,
    cap_per_member_month,
    cap_per_pair_month,
) -> list[Cluster]:
    clusters = list(clusters)
    if not clusters:
        raise DomainError(gettext_lazy("Choose at least one cluster."))
    sponsored = set(
        network_selectors.sponsored_clusters(agency)
        .filter(pk__in=[c.pk for c in clusters])
        .values_list("pk", flat=True)
    )
    if any(cluster.pk not in sponsored for cluster in clusters):
        raise DomainError(gettext_lazy("A programme covers only clusters your agency sponsors."))
    if ends_on < starts_on:
        raise DomainError(gettext_lazy("The programme must end after it starts."))
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
    kind: str = Programme.Kind.MENTORING,
    share_figures: bool = False,
) -> Programme:
    name = clean_text(name, model=Programme, field="name", error=DomainError)
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
        raise DomainError(gettext_lazy("Give the programme a name."))
    if unit not in Programme.Unit.values:
        raise DomainError(gettext_lazy("Choose the programme's unit."))
    if kind not in Programme.Kind.values:
        raise DomainError(gettext_lazy("Choose what kind of programme it is."))
    programme = Programme.objects.create(
        agency=agency,
        name=name.strip()[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        unit=unit,
        budget=budget,
        cap_per_member_month=cap_per_member_month,
        cap_per_pair_month=cap_per_pair_month,
        kind=kind,
        share_figures=bool(share_figures),
        created_by=by,
    )
    programme.clusters.set(clusters)
    ledger.fund(programme=programme, by=by, amount=budget, memo=_("Initial budget"))
    return programme


@transaction.atomic
def set_figure_sharing(*, programme: Programme, by: User, share: bool) -> Programme:
    """Whether agencies co-sponsoring the programme's clusters see its budget and credits.

    Off by default: they always see its name, kind, dates and activities, never its money
    unless the agency running it says so here.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    require_officer(by, programme)
    programme.share_figures = bool(share)
    programme.save(update_fields=["share_figures"])
    return programme


@transaction.atomic
def add_budget(*, programme: Programme, by: User, amount: Decimal) -> Programme:
    """Budgets only grow through a funding entry, never by editing a number."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    require_officer(by, programme)
    amount = _money(amount, gettext_lazy("Add an amount more than zero."))
    if programme.budget + amount >= MAX_AMOUNT:
        raise DomainError(gettext_lazy("The budget cannot grow that large."))
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
        raise DomainError(gettext_lazy("Unknown kind of contribution."))
    if confirmer not in Rule.Confirmer.values:
        raise DomainError(gettext_lazy("Choose who confirms it."))
    if confirmer == Rule.Confirmer.COUNTERPART and kind not in CONFIRMED_BY_COUNTERPART:
        # Nobody helped is named for these: they would wait for a confirmation forever.
        raise DomainError(
            gettext_lazy("Nobody else takes part in this contribution: a coordinator confirms it.")
        )
    amount = _money(amount, gettext_lazy("The amount must be more than zero."))
    if not 0 <= min_attendees <= 1000:
        raise DomainError(gettext_lazy("Attendees must be between 0 and 1000."))
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
