"""An officer approves a finished month's credits, then marks what each member earned paid.

Approvals and payouts of a programme happen one at a time, under the programme's lock: a
second click waits, then is told it is done, instead of failing on the uniqueness rule.
"""

import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.text import clean_text
from incentives.models import Account, LedgerEntry, Payout, PeriodApproval, Programme
from incentives.selectors import ZERO, earned_in_month, month_entries, month_start, require_officer
from incentives.services import ledger
from network.models import User


@transaction.atomic
def approve_month(*, programme: Programme, month: datetime.date, by: User) -> PeriodApproval:
    require_officer(by, programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if PeriodApproval.objects.filter(programme=programme, month=month_start(month)).exists():
        raise DomainError(_("This month is already approved."))
    if month_start(month) >= month_start(timezone.localdate()):
        raise DomainError(_("A month can be approved once it is over."))
    entries = month_entries(programme, month)
    credited = entries.filter(kind=LedgerEntry.Kind.CREDIT).aggregate(t=Sum("amount"))["t"]
    reversed_ = entries.filter(kind=LedgerEntry.Kind.REVERSAL).aggregate(t=Sum("amount"))["t"]
    return PeriodApproval.objects.create(
        programme=programme,
        month=month_start(month),
        approved_by=by,
        total=(credited or ZERO) - (reversed_ or ZERO),
        entries=entries.count(),
    )


@transaction.atomic
def pay(
    *, programme: Programme, member: User, month: datetime.date, reference: str, by: User
) -> Payout:
    """Mark what the member earned in an approved month as paid, moving it out of their account."""
    reference = clean_text(reference, model=Payout, field="reference", error=DomainError)
    require_officer(by, programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not reference.strip():
        raise DomainError(_("Give the payment reference."))
    if not PeriodApproval.objects.filter(programme=programme, month=month_start(month)).exists():
        raise DomainError(_("Approve the month's credits before paying them."))
    if Payout.objects.filter(
        programme=programme, member=member, month=month_start(month)
    ).exists():
        raise DomainError(_("This member's credits for that month are already paid."))
    earned = earned_in_month(programme, member, month)
    if earned <= 0:
        raise DomainError(_("Nothing was earned that month."))
    # A credit reversed after it was paid is owed back (the account is below what the month
    # earned): it is held from this payment, so no more is ever paid than was earned.
    member_account = ledger.account(programme, Account.Kind.MEMBER, member)
    amount = min(earned, member_account.balance)
    if amount <= 0:
        raise DomainError(
            _("Nothing to pay: that month's credits repay credits reversed after payment.")
        )
    payout = Payout.objects.create(
        programme=programme,
        member=member,
        month=month_start(month),
        amount=amount,
        reference=reference.strip()[:120],
        paid_by=by,
    )
    ledger.post_entry(
        programme=programme,
        kind=LedgerEntry.Kind.PAYOUT,
        debit=member_account,
        credit=ledger.account(programme, Account.Kind.PAID),
        amount=amount,
        by=by,
        memo=payout.reference,
        payout=payout,
    )
    return payout
