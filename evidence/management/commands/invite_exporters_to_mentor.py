"""The daily check: firms that exported two years running invite their followers to mentor."""

from django.core.management.base import BaseCommand
from django.utils import translation

from evidence.mentor_invitations import invite_from_customs
from mentoring.services.invitations import invite_all_from_records


class Command(BaseCommand):
    help = (
        "Invite followers whose firm exported one year and again the next (recorded exports "
        "and confirmed firms' customs records) to mentor; each person is invited once."
    )

    def handle(self, *args, **options):
        with translation.override(None):
            sent = invite_all_from_records() + invite_from_customs()
        self.stdout.write(f"Mentor invitations sent: {sent}.")
