"""Prove every account's balance equals the sum of its ledger entries; exit 1 otherwise."""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum

from incentives import selectors
from incentives.models import Account, LedgerEntry
from incentives.selectors import CENT


class Command(BaseCommand):
    help = (
        "Check that each account's balance is the sum of its entries, that the ledger nets "
        "to 0, and that contributions' amounts and programmes' budgets agree with it."
    )

    def handle(self, *args, **options):
        differences = selectors.reconcile()
        for difference in differences:
            account = difference.account
            self.stderr.write(
                f"account {account.pk} ({account.kind}, programme {account.programme_id}"
                f"{f', member {account.member_id}' if account.member_id else ''}): "
                f"balance {difference.stored}, entries say {difference.from_entries}, "
                f"difference {difference.stored - difference.from_entries}"
            )
        mismatches = selectors.reconcile_records()
        for mismatch in mismatches:
            self.stderr.write(
                f"{mismatch.what}: recorded {mismatch.stored}, entries say "
                f"{mismatch.from_entries}, difference {mismatch.stored - mismatch.from_entries}"
            )
        total = Decimal(Account.objects.aggregate(t=Sum("balance"))["t"] or 0).quantize(CENT)
        entries = LedgerEntry.objects.count()
        if differences or mismatches or total != 0:
            if total != 0:
                self.stderr.write(f"balances sum to {total}, not 0")
            raise CommandError(
                f"{len(differences)} account(s) and {len(mismatches)} record(s) do not reconcile."
            )
        self.stdout.write(
            f"Reconciled {Account.objects.count()} accounts against {entries} entries: "
            "every balance equals its entries, all balances sum to 0, and every credited "
            "contribution and programme budget agrees with the ledger."
        )
