"""Remind firms to take the diagnostic again 6 and 12 months on; safe to run often."""

from django.core.management.base import BaseCommand

from readiness.services.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the diagnostic's re-run reminders due now (each once per due date)."

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"Diagnostic reminders sent: {sent}.")
