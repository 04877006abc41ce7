"""The double-entry ledger's writes: accounts, entries and their reversals.

Entries are append-only (the database refuses to change or delete one); a stored balance
moves in the same transaction as the entry that moves it, so `selectors.reconcile` finds
them equal. Callers hold the programme's lock.
"""

from decimal import Decimal

from django.db.models import F, Q

from incentives.models import Account, LedgerEntry, Programme
from network.models import User

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
