"""Queue again the background tasks left running by workers that died (also done by every
`db_worker` as it starts and while it runs); for a cron job or by hand."""

from django.core.management.base import BaseCommand

from core.worker import requeue_stale_tasks


class Command(BaseCommand):
    help = "Queue again the tasks left running by workers that are gone."

    def handle(self, *args, **options) -> None:
        found = requeue_stale_tasks()
        self.stdout.write(
            f"Tasks of lost workers: {found.requeued} queued again, {found.given_up} given up."
        )
