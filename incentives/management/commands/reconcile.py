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
        "to 0, that contributions' amounts and programmes' budgets agree with it, and that no "
        "contribution is credited under more than one programme or more than once."
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
        doubles = selectors.reconcile_double_funding()
        for double in doubles:
            own = double.own_programme_id
            others = ", ".join(str(pk) for pk in double.programmes if pk != own)
            self.stderr.write(
                f"contribution {double.contribution_id}: credited under more than one programme "
                f"or more than once (its own programme {double.own_programme_id}; "
                f"others {others or 'none'}; {double.credits} credit entries)"
            )
        total = Decimal(Account.objects.aggregate(t=Sum("balance"))["t"] or 0).quantize(CENT)
        entries = LedgerEntry.objects.count()
        if differences or mismatches or doubles or total != 0:
            if total != 0:
                self.stderr.write(f"balances sum to {total}, not 0")
            raise CommandError(
                f"{len(differences)} account(s) and {len(mismatches)} record(s) do not reconcile"
                f"; {len(doubles)} contribution(s) funded twice."
            )
        self.stdout.write(
            f"Reconciled {Account.objects.count()} accounts against {entries} entries: "
            "every balance equals its entries, all balances sum to 0, and every credited "
            "contribution and programme budget agrees with the ledger, and no contribution is "
            "credited under more than one programme."
        )
