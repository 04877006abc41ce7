"""The double-entry ledger: accounts, entries, reversals, approvals, payouts, statements."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incentives.errors import IncentiveError
from incentives.models import (
    MONEY,
    Account,
    Contribution,
    LedgerEntry,
    Payout,
    PeriodApproval,
    Programme,
)
from network.models import User

ZERO = Decimal("0")
CENT = Decimal("0.01")
Kind = Account.Kind


def account(
    programme: Programme, kind: str, member: User | None = None, *, member_id: int | None = None
) -> Account:
    if kind != Kind.MEMBER:
        member_id = None
    elif member is not None:
        member_id = member.pk
    found, _created = Account.objects.get_or_create(
        programme=programme, kind=kind, member_id=member_id
    )
    return found


def credit_accounts(programme: Programme, member_id: int) -> tuple[Account, Account | None]:
    """The programme's account and the member's, if they have one yet, in one query."""
    found = {
        found.kind: found
        for found in Account.objects.filter(
            Q(kind=Kind.PROGRAMME, member__isnull=True) | Q(kind=Kind.MEMBER, member_id=member_id),
            programme=programme,
        )
    }
    budget = found.get(Kind.PROGRAMME) or account(programme, Kind.PROGRAMME)
    return budget, found.get(Kind.MEMBER)


def post_entry(
    *,
    programme: Programme,
    kind: str,
    debit: Account,
    credit: Account,
    amount: Decimal,
    by: User | None,
    memo: str = "",
    **links,
) -> LedgerEntry:
    """Move an amount between two accounts; the stored balances move in the same transaction."""
    if amount <= 0:
        raise ValueError("A ledger entry moves a positive amount.")
    entry = LedgerEntry.objects.create(
        programme=programme,
        kind=kind,
        debit=debit,
        credit=credit,
        amount=amount,
        created_by=by,
        memo=memo[:300],
        **links,
    )
    # Rows are updated (so locked) in id order whatever the direction, so two transactions
    # moving amounts between the same accounts, one each way, never wait on each other.
    for moved in sorted([(debit.pk, -amount), (credit.pk, amount)]):
        Account.objects.filter(pk=moved[0]).update(balance=F("balance") + moved[1])
    return entry


def fund(*, programme: Programme, by: User, amount: Decimal, memo: str = "") -> LedgerEntry:
    return post_entry(
        programme=programme,
        kind=LedgerEntry.Kind.FUNDING,
        debit=account(programme, Kind.FUNDING),
        credit=account(programme, Kind.PROGRAMME),
        amount=amount,
        by=by,
        memo=memo,
    )


def budget_left(programme: Programme) -> Decimal:
    """What is left to credit: the programme account's balance (none before any funding)."""
    balance = (
        Account.objects.filter(programme=programme, kind=Kind.PROGRAMME)
        .values_list("balance", flat=True)
        .first()
    )
    return balance if balance is not None else ZERO


def reverse(*, entry: LedgerEntry, by: User, memo: str) -> LedgerEntry:
    """The correction of an entry: the same amount moved back. An entry is reversed once."""
    return post_entry(
        programme=entry.programme,
        kind=LedgerEntry.Kind.REVERSAL,
        debit=entry.credit,
        credit=entry.debit,
        amount=entry.amount,
        by=by,
        memo=memo,
        reverses=entry,
        contribution=entry.contribution,
    )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = month_start(month)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    zone = timezone.get_default_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(following, datetime.time.min, tzinfo=zone),
    )


def _net(entries, member_account: Account) -> Decimal:
    incoming = entries.filter(credit=member_account).aggregate(t=Sum("amount"))["t"] or ZERO
    outgoing = entries.filter(debit=member_account).aggregate(t=Sum("amount"))["t"] or ZERO
    return incoming - outgoing


def earned_in_month(programme: Programme, member: User, month: datetime.date) -> Decimal:
    """Credits less reversals posted to the member in that month (payouts not counted)."""
    start, end = month_bounds(month)
    member_account = Account.objects.filter(
        programme=programme, kind=Kind.MEMBER, member=member
    ).first()
    if member_account is None:
        return ZERO
    entries = LedgerEntry.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        kind__in=[LedgerEntry.Kind.CREDIT, LedgerEntry.Kind.REVERSAL],
    )
    return _net(entries, member_account)


@dataclass
class StatementLine:
    entry: LedgerEntry
    signed_amount: Decimal
    balance: Decimal


@dataclass
class Statement:
    programme: Programme
    member: User
    month: datetime.date
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal
    credited: Decimal
    reversed: Decimal
    paid: Decimal


def statement(programme: Programme, member: User, month: datetime.date) -> Statement:
    start, end = month_bounds(month)
    member_account = account(programme, Kind.MEMBER, member)
    mine = LedgerEntry.objects.filter(Q(debit=member_account) | Q(credit=member_account))
    opening = _net(mine.filter(created_at__lt=start), member_account)
    balance = opening
    lines, totals = [], {kind: ZERO for kind in LedgerEntry.Kind.values}
    for entry in mine.filter(created_at__gte=start, created_at__lt=end).select_related(
        "contribution"
    ):
        signed = entry.amount if entry.credit_id == member_account.pk else -entry.amount
        balance += signed
        totals[entry.kind] += entry.amount
        lines.append(StatementLine(entry=entry, signed_amount=signed, balance=balance))
    return Statement(
        programme=programme,
        member=member,
        month=month_start(month),
        opening=opening,
        lines=lines,
        closing=balance,
        credited=totals[LedgerEntry.Kind.CREDIT],
        reversed=totals[LedgerEntry.Kind.REVERSAL],
        paid=totals[LedgerEntry.Kind.PAYOUT],
    )


@transaction.atomic
def approve_month(*, programme: Programme, month: datetime.date, by: User) -> PeriodApproval:
    # Approvals and payouts of a programme happen one at a time: a second click waits, then
    # is told it is done, instead of failing on the uniqueness rule.
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if PeriodApproval.objects.filter(programme=programme, month=month_start(month)).exists():
        raise IncentiveError(_("This month is already approved."))
    if month_start(month) >= month_start(timezone.localdate()):
        raise IncentiveError(_("A month can be approved once it is over."))
    start, end = month_bounds(month)
    entries = LedgerEntry.objects.filter(
        programme=programme,
        created_at__gte=start,
        created_at__lt=end,
        kind__in=[LedgerEntry.Kind.CREDIT, LedgerEntry.Kind.REVERSAL],
    )
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
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not reference.strip():
        raise IncentiveError(_("Give the payment reference."))
    if not PeriodApproval.objects.filter(programme=programme, month=month_start(month)).exists():
        raise IncentiveError(_("Approve the month's credits before paying them."))
    if Payout.objects.filter(
        programme=programme, member=member, month=month_start(month)
    ).exists():
        raise IncentiveError(_("This member's credits for that month are already paid."))
    earned = earned_in_month(programme, member, month)
    if earned <= 0:
        raise IncentiveError(_("Nothing was earned that month."))
    # A credit reversed after it was paid is owed back (the account is below what the month
    # earned): it is held from this payment, so no more is ever paid than was earned.
    amount = min(earned, account(programme, Kind.MEMBER, member).balance)
    if amount <= 0:
        raise IncentiveError(
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
    post_entry(
        programme=programme,
        kind=LedgerEntry.Kind.PAYOUT,
        debit=account(programme, Kind.MEMBER, member),
        credit=account(programme, Kind.PAID),
        amount=amount,
        by=by,
        memo=payout.reference,
        payout=payout,
    )
    return payout


@dataclass
class Difference:
    account: Account
    stored: Decimal
    from_entries: Decimal


def reconcile(programmes=None) -> list[Difference]:
    """Every account whose stored balance differs from the sum of its entries."""
    accounts = Account.objects.all()
    if programmes is not None:
        accounts = accounts.filter(programme__in=programmes)
    credits = dict(
        LedgerEntry.objects.values("credit").annotate(t=Sum("amount")).values_list("credit", "t")
    )
    debits = dict(
        LedgerEntry.objects.values("debit").annotate(t=Sum("amount")).values_list("debit", "t")
    )
    differences = []
    for acc in accounts.iterator():
        expected = (credits.get(acc.pk) or ZERO) - (debits.get(acc.pk) or ZERO)
        expected = Decimal(expected).quantize(CENT)
        if expected != acc.balance:
            differences.append(Difference(account=acc, stored=acc.balance, from_entries=expected))
    return differences


@dataclass
class Mismatch:
    """A figure kept beside the ledger (a contribution's amount, a programme's budget) that
    the ledger's entries do not bear out."""

    what: str
    stored: Decimal
    from_entries: Decimal


def reconcile_records(programmes=None) -> list[Mismatch]:
    """Each contribution's credited amount equals its credits less reversals, and each
    programme's budget equals its funding entries: the dashboards read both."""
    entries = LedgerEntry.objects.all()
    contributions = Contribution.objects.filter(
        status__in=[Contribution.Status.CREDITED, Contribution.Status.CAPPED]
    )
    budgets = Programme.objects.all()
    if programmes is not None:
        entries = entries.filter(programme__in=programmes)
        contributions = contributions.filter(programme__in=programmes)
        budgets = budgets.filter(pk__in=[p.pk for p in programmes])
    nets = dict(
        entries.filter(contribution__isnull=False)
        .values("contribution")
        .annotate(
            net=Sum(
                Case(
                    When(kind=LedgerEntry.Kind.CREDIT, then=F("amount")),
                    When(kind=LedgerEntry.Kind.REVERSAL, then=-F("amount")),
                    default=Value(ZERO),
                    output_field=DecimalField(**MONEY),
                )
            )
        )
        .values_list("contribution", "net")
    )
    credited = dict(contributions.values_list("pk", "amount"))
    mismatches = []
    for pk in sorted(set(nets) | set(credited)):
        stored = Decimal(credited.get(pk) or 0).quantize(CENT)
        from_entries = Decimal(nets.get(pk) or 0).quantize(CENT)
        if stored != from_entries:
            mismatches.append(Mismatch(f"contribution {pk}", stored, from_entries))
    funded = dict(
        entries.filter(kind=LedgerEntry.Kind.FUNDING)
        .values("programme")
        .annotate(t=Sum("amount"))
        .values_list("programme", "t")
    )
    for pk, budget in budgets.values_list("pk", "budget"):
        from_entries = Decimal(funded.get(pk) or 0).quantize(CENT)
        if budget != from_entries:
            mismatches.append(Mismatch(f"programme {pk} budget", budget, from_entries))
    return mismatches
