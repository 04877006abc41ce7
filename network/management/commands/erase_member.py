"""Erase members at their request by id: for staff, and to erase again after a restore."""

from django.core.management.base import BaseCommand, CommandError

from network.erasure import ErasureRefused, erase_member
from network.models import User


class Command(BaseCommand):
    help = (
        "Erase the personal data of the members with these ids, as 'Delete my account' does. "
        "Run it again after restoring a backup older than an erasure (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("user_ids", nargs="+", type=int)

    def handle(self, *args, user_ids, **options):
        refused = 0
        for user_id in user_ids:
            user = User.objects.filter(pk=user_id).first()
            if user is None:
                self.stderr.write(f"member {user_id}: no such account")
                refused += 1
                continue
            try:
                erase_member(user=user)
            except ErasureRefused as error:
                self.stderr.write(f"member {user_id}: refused: {error.message}")
                refused += 1
            else:
                self.stdout.write(f"member {user_id}: erased")
        if refused:
            raise CommandError(f"{refused} member(s) not erased.")
