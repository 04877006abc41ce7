"""Ask authors and coordinators to confirm or update guides past their date; safe to run often."""

from django.core.management.base import BaseCommand

from guides.services import send_due_reminders


class Command(BaseCommand):
    help = "Ask about guides past their 'check again by' date (once per date)."

    def handle(self, *args, **options):
        asked = send_due_reminders()
        self.stdout.write(f"Check reminders sent for {asked} guide(s).")
