"""How a contribution is decided: confirmed, then credited, capped, held for review or
refused, with its ledger entry. Shared by the services that report, confirm and review
contributions; not part of the app's door.

Crediting happens under a lock on the programme row, so caps and the budget hold under
concurrent confirmations, and the database allows one credit entry per contribution. Locks
are always taken in one order (contribution, programme, then accounts by id), so crediting,
reversing and paying never deadlock.
"""

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from incentives import gaming_flags, reasons
from incentives.models import Account, Contribution, ContributionKind, LedgerEntry, Programme, Rule
from incentives.selectors import CENT, is_officer, month_bounds
from incentives.services import ledger
from network import selectors as network_selectors
from network.models import User

Status = Contribution.Status
ZERO = Decimal("0")
CONFIRMATION = ["confirmed_by", "confirmed_at"]


def colleagues(one_id: int | None, other_id: int | None) -> bool:
    """Both people belong to the same organization."""
    if one_id is None or other_id is None:
        return False
    if one_id == other_id:
        return True
    organizations = list(
        User.objects.filter(pk__in=[one_id, other_id]).values_list(
            "profile__organization_id", flat=True
        )
    )
    return (
        len(organizations) == 2
        and organizations[0] is not None
        and (organizations[0] == organizations[1])
    )


def may_confirm(rule: Rule, contribution: Contribution, user: User) -> bool:
    if rule.confirmer == Rule.Confirmer.COORDINATOR:
        # The programme's own officers stand in where the cluster has no other coordinator
        # (they review a sole coordinator's guides).
        return (
            user.pk not in (contribution.actor_id, contribution.counterpart_id)
            and (
                network_selectors.is_coordinator(user=user, cluster=contribution.cluster_id)
                or is_officer(user, contribution.programme)
            )
            and not colleagues(user.pk, contribution.actor_id)
        )
    return contribution.counterpart_id is not None and user.pk == contribution.counterpart_id


def note_confirmation(contribution: Contribution, by: User | None) -> bool:
    """Note the confirmation on the row; it is saved with the decision that follows, or by
    `settle_if_ready` when none does. True when it was not confirmed before."""
    if contribution.confirmed_at is not None:
        return False
    contribution.confirmed_by = by
    contribution.confirmed_at = timezone.now()
    return True


def _confirmed_by_attendees(rule: Rule) -> bool:
    return (
        rule.kind == ContributionKind.GROUP_SESSION
        and rule.confirmer == Rule.Confirmer.COUNTERPART
    )


def _ready(rule: Rule, contribution: Contribution) -> bool:
    if _confirmed_by_attendees(rule):
        # Attendees' own confirmations are what confirm a group session.
        return contribution.attendees >= max(rule.min_attendees, 1)
    if rule.kind == ContributionKind.GROUP_SESSION and contribution.attendees < rule.min_attendees:
        return False
    return contribution.confirmed_at is not None


def settle_if_ready(
    contribution: Contribution, rule: Rule, *, confirmed: bool, reviewed: bool = False
) -> None:
    if not _ready(rule, contribution):
        if confirmed:
            contribution.save(update_fields=CONFIRMATION)
        return
    if _confirmed_by_attendees(rule):
        # Enough attendees confirmed: the session counts as held and confirmed from now.
        note_confirmation(contribution, None)
    settle(contribution, rule, by=contribution.confirmed_by, reviewed=reviewed)


def decide(
    contribution: Contribution,
    status: str,
    *,
    amount=ZERO,
    reason="",
    code: str = "",
    data: dict | None = None,
    by: User | None = None,
) -> None:
    """Record the decision; a `code` is explained in each reader's language (reasons.py),
    a plain `reason` (a coordinator's or the reporting app's words) is shown as it is."""
    contribution.status = status
    contribution.amount = amount
    contribution.reason_code = code
    contribution.reason_data = data or {}
    contribution.reason = (reasons.in_english(code, data) if code else str(reason))[:300]
    contribution.decided_by = by
    contribution.decided_at = timezone.now()
    contribution.save(
        update_fields=[
            "status",
            "amount",
            "reason",
            "reason_code",
            "reason_data",
            "decided_by",
            "decided_at",
            *CONFIRMATION,
        ]
    )


def _month_of(contribution: Contribution) -> Q:
    start, end = month_bounds(timezone.localtime(contribution.occurred_at).date())
    return Q(occurred_at__gte=start, occurred_at__lt=end)


def _earned_this_month(contribution: Contribution, *, pair: bool) -> dict[str, Decimal]:
    """What the actor was credited in the programme in the contribution's month, in all and
    with the same counterpart: one query for both caps."""
    totals = {"member": Sum("amount")}
    if pair:
        totals["pair"] = Sum("amount", filter=Q(counterpart_id=contribution.counterpart_id))
    found = (
        Contribution.objects.filter(
            _month_of(contribution),
            programme_id=contribution.programme_id,
            actor_id=contribution.actor_id,
            status__in=[Status.CREDITED, Status.CAPPED],
        )
        .exclude(pk=contribution.pk)
        .aggregate(**totals)
    )
    # SQLite sums decimals through floats: back to cents, or a cap leaves 0.0000001 residues.
    return {key: Decimal(value or 0).quantize(CENT) for key, value in found.items()}


def _cap_limits(contribution: Contribution, programme: Programme) -> list[tuple[Decimal, str]]:
    """What the monthly caps leave the actor, each with the reason code it is shown with."""
    member_cap = programme.cap_per_member_month
    pair_cap = programme.cap_per_pair_month if contribution.counterpart_id else None
    if member_cap is None and pair_cap is None:
        return []
    earned = _earned_this_month(contribution, pair=pair_cap is not None)
    limits = []
    if member_cap is not None:
        limits.append((member_cap - earned["member"], reasons.CAP_MEMBER))
    if pair_cap is not None:
        limits.append((pair_cap - earned["pair"], reasons.CAP_PAIR))
    return limits


def _held_for_review(contribution: Contribution) -> bool:
    """Hold the contribution for a coordinator when it looks like gaming."""
    found = gaming_flags.detect(contribution)
    if not found:
        return False
    contribution.flags = found
    contribution.status = Status.REVIEW
    contribution.save(update_fields=["flags", "status", *CONFIRMATION])
    return True


def settle(contribution: Contribution, rule: Rule, *, by: User | None, reviewed: bool = False):
    """Credit, cap or reject: the programme row is locked so caps and budget hold.

    Only the rule of the contribution's own programme settles it: one contribution is
    credited under one programme at most (`contributions._rule_for` says which).
    """
    if rule.programme_id != contribution.programme_id:
        raise ValueError("A contribution is settled only under its own programme's rule.")
    programme = Programme.objects.select_for_update().get(pk=rule.programme_id)
    if contribution.counterpart_id == contribution.actor_id:
        decide(contribution, Status.REJECTED, code=reasons.SELF, by=by)
        return
    if colleagues(contribution.actor_id, contribution.counterpart_id):
        decide(contribution, Status.REJECTED, code=reasons.SAME_ORGANIZATION, by=by)
        return
    if not reviewed and _held_for_review(contribution):
        return
    limits = [(rule.amount, ""), *_cap_limits(contribution, programme)]
    # Read after the programme's lock: no other credit can be spending it meanwhile.
    budget, member_account = ledger.credit_accounts(programme, contribution.actor_id)
    limits.append((budget.balance, reasons.BUDGET))
    amount, why = min(limits, key=lambda limit: limit[0])
    if amount <= 0:
        decide(contribution, Status.REJECTED, code=reasons.NOT_CREDITED, data={"why": why}, by=by)
        return
    if amount == rule.amount:
        decide(contribution, Status.CREDITED, amount=amount, by=by)
    else:
        data = {"amount": str(amount), "full": str(rule.amount), "why": why}
        decide(contribution, Status.CAPPED, amount=amount, code=reasons.CAPPED, data=data, by=by)
    ledger.post_entry(
        programme=programme,
        kind=LedgerEntry.Kind.CREDIT,
        debit=budget,
        # Made on the member's first credit, never for a refusal.
        credit=member_account
        or ledger.account(programme, Account.Kind.MEMBER, member_id=contribution.actor_id),
        amount=amount,
        by=by,
        contribution=contribution,
    )


def reverse_standing_credit(
    contribution: Contribution, *, by: User | None, reason: str
) -> LedgerEntry | None:
    """Reverse the contribution's credit, if one stands; the contribution and its programme
    are locked by the caller, in that order."""
    credit = (
        contribution.entries.filter(kind=LedgerEntry.Kind.CREDIT)
        .select_related("programme", "debit", "credit")
        .first()
    )
    if credit is None or LedgerEntry.objects.filter(reverses=credit).exists():
        return None
    entry = ledger.reverse(entry=credit, by=by, memo=reason)
    decide(contribution, Status.REJECTED, code=reasons.REVERSED, data={"why": reason}, by=by)
    return entry
