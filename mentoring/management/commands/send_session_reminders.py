"""Email everyone going to a session that starts within a day; safe to run often."""

from django.core.management.base import BaseCommand

from mentoring.services.sessions import send_due_reminders


class Command(BaseCommand):
    help = "Send session reminders due now (each session is reminded once)."

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"Reminders sent for {sent} session(s).")
