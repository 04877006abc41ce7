"""Reads of the ledger: months, balances, statements, what each month earned, and the checks
that stored balances and figures agree with the entries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.compiled import compiled_read
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
EARNINGS = [LedgerEntry.Kind.CREDIT, LedgerEntry.Kind.REVERSAL]


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def last_month() -> datetime.date:
    """The first day of the month before this one: the latest an officer can approve."""
    return month_start(month_start(timezone.localdate()) - datetime.timedelta(days=1))


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = month_start(month)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    zone = timezone.get_default_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(following, datetime.time.min, tzinfo=zone),
    )


def _kept_balance(where: str, params: list) -> Decimal:
    """One account's stored balance, zero if it has none yet, by a fixed statement.

    The ORM spends several times longer building this query than the database spends
    finding the row through its unique index; a kept balance is read on many pages and by
    the API, and is meant to cost a fraction of summing the entries (docs/performance.md).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT balance FROM {Account._meta.db_table} WHERE {where} LIMIT 1", params
        )
        row = cursor.fetchone()
    if row is None:
        return ZERO
    # PostgreSQL answers a Decimal; SQLite a number, read back at the field's two places.
    return row[0] if isinstance(row[0], Decimal) else Decimal(str(row[0])).quantize(CENT)


def budget_left(programme: Programme) -> Decimal:
    """What is left to credit: the programme account's balance (none before any funding)."""
    # "member_id IS NULL" names the unique index of a programme's own accounts: without it,
    # PostgreSQL's plan for the prepared statement walked the programme's member accounts.
    return _kept_balance(
        "programme_id = %s AND kind = %s AND member_id IS NULL", [programme.pk, Kind.PROGRAMME]
    )


def with_budget_left(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    """The programmes, each with `left`, its `budget_left`, read in the same statement."""
    own = Account.objects.filter(
        programme=OuterRef("pk"), kind=Kind.PROGRAMME, member__isnull=True
    )
    return programmes.annotate(left=Subquery(own.values("balance")[:1]))


def member_balance(programme: Programme, member: User) -> Decimal:
    """What the programme owes the member now (zero before their first credit)."""
    return _kept_balance(
        "programme_id = %s AND kind = %s AND member_id = %s",
        [programme.pk, Kind.MEMBER, member.pk],
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
        created_at__gte=start, created_at__lt=end, kind__in=EARNINGS
    )
    return _net(entries, member_account)


def month_entries(programme: Programme, month: datetime.date):
    """The programme's credits and reversals posted in the month: what approving it covers."""
    start, end = month_bounds(month)
    return LedgerEntry.objects.filter(
        programme=programme, created_at__gte=start, created_at__lt=end, kind__in=EARNINGS
    )


@compiled_read()
def _approved(p):
    approvals = PeriodApproval.objects.filter(programme__in=p.many("programmes"), month=p.month)
    return approvals.values_list("programme_id", flat=True)


@compiled_read()
def _credits_posted(p):
    return (
        LedgerEntry.objects.filter(
            programme__in=p.many("programmes"),
            kind=LedgerEntry.Kind.CREDIT,
            created_at__gte=p.start,
            created_at__lt=p.end,
        )
        .values("programme")
        .annotate(n=Count("id"))
        .values_list("programme", "n")
    )


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
    member_account = Account.objects.filter(
        programme=programme, kind=Kind.MEMBER, member=member
    ).first()
    if member_account is None:
        mine = LedgerEntry.objects.none()
    else:
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


def member_account(programme_id: int, member_id: int) -> Account | None:
    """The member's account in the programme, with the member, for their statement."""
    return (
        Account.objects.filter(programme_id=programme_id, member_id=member_id, kind=Kind.MEMBER)
        .select_related("programme", "member__profile")
        .first()
    )


def member_accounts(user: User) -> QuerySet[Account]:
    """The person's accounts as a member, one per programme they earn in, by its name."""
    return Account.objects.filter(member=user, kind=Kind.MEMBER).order_by("programme__name")


def my_accounts(user: User) -> list[Account]:
    return list(member_accounts(user).select_related("programme"))


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


def earned_by_member(programme: Programme, month: datetime.date) -> list[dict]:
    """Each member's net credits posted in the month, for approval and payment."""
    start, end = month_bounds(month)
    window = {"programme": programme.pk, "start": start, "end": end}
    incoming = dict(_month_credits(**window, side="credit"))
    outgoing = dict(_month_credits(**window, side="debit"))
    earners = set(incoming) | set(outgoing)
    people = _named(people=sorted(earners)) if earners else []
    paid = set(_paid(programme=programme.pk, month=month_start(month)))
    return [
        {
            "member": person,
            "amount": (incoming.get(person.pk) or 0) - (outgoing.get(person.pk) or 0),
            "paid": person.pk in paid,
        }
        for person in sorted(people, key=lambda p: p.profile.display_name)
    ]


@compiled_read(shape=("side",))
def _month_credits(p, *, side: str):
    """Per member, what the month's entries posted to (credit) or from (debit) their account."""
    entries = LedgerEntry.objects.filter(
        programme=p.programme, created_at__gte=p.start, created_at__lt=p.end, kind__in=EARNINGS
    )
    member = f"{side}__member"
    posted = entries.filter(**{f"{side}__kind": Kind.MEMBER}).values(member)
    return posted.annotate(t=Sum("amount")).values_list(member, "t")


@compiled_read()
def _named(p):
    people = User.objects.filter(pk__in=p.many("people")).select_related("profile")
    return people.only("profile__display_name")  # all the page shows of each, and links by id


@compiled_read()
def _paid(p):
    payouts = Payout.objects.filter(programme=p.programme, month=p.month)
    return payouts.values_list("member_id", flat=True)


def credits_to_approve(programmes: list[Programme], month: datetime.date) -> dict[int, int]:
    """How many credits each programme posted in the month, for those nobody approved yet:
    two queries however many programmes."""
    start, end = month_bounds(month)
    ids = [programme.pk for programme in programmes]
    approved = set(_approved(programmes=ids, month=month))
    credits = dict(_credits_posted(programmes=ids, start=start, end=end))
    return {
        programme.pk: 0 if programme.pk in approved else credits.get(programme.pk, 0)
        for programme in programmes
    }


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


@dataclass
class DoubleFunding:
    """A contribution that the ledger ties to more than one programme, or credits twice."""

    contribution_id: int
    own_programme_id: int | None
    programmes: list[int]
    credits: int


def reconcile_double_funding(programmes=None) -> list[DoubleFunding]:
    """Every contribution credited under more than one programme, or more than once: its
    entries must all be in its own programme, with one credit at most (no double funding)."""
    entries = LedgerEntry.objects.filter(contribution__isnull=False)
    if programmes is not None:
        entries = entries.filter(
            Q(programme__in=programmes) | Q(contribution__programme__in=programmes)
        )
    seen: dict[int, tuple[set[int], int, int | None]] = {}
    for contribution_id, programme_id, own_id, kind in entries.values_list(
        "contribution", "programme", "contribution__programme", "kind"
    ).order_by("contribution", "id"):
        found, credits, _own = seen.get(contribution_id, (set(), 0, own_id))
        found.add(programme_id)
        seen[contribution_id] = (found, credits + (kind == LedgerEntry.Kind.CREDIT), own_id)
    doubles = []
    for contribution_id, (found, credits, own_id) in sorted(seen.items()):
        tied = found | ({own_id} if own_id is not None else set())
        if len(tied) > 1 or credits > 1:
            doubles.append(
                DoubleFunding(
                    contribution_id=contribution_id,
                    own_programme_id=own_id,
                    programmes=sorted(tied),
                    credits=credits,
                )
            )
    return doubles
