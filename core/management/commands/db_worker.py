"""django-tasks-db's worker, which first queues again the tasks of workers that died, and
keeps doing so while it runs (core.worker): a pool of workers recovers on its own."""

import os
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from core.worker import requeue_stale_tasks


def _requeue(stdout) -> None:
    try:
        found = requeue_stale_tasks()
        if found.requeued or found.given_up:
            stdout.write(
                f"Tasks of lost workers: {found.requeued} queued again, {found.given_up} given up."
            )
    finally:
        close_old_connections()


def _keep_requeueing(stdout) -> None:
    while True:
        time.sleep(settings.TASK_STALE_AFTER.total_seconds())
        try:
            _requeue(stdout)
        except Exception:  # a database hiccup must not stop the checks
            db_worker.logger.exception("Could not look for tasks of lost workers")


class Command(db_worker.Command):
    help = db_worker.Command.help + "; tasks left running by a lost worker are queued again"

    def handle(self, *args, reload: bool, **options) -> None:
        # Under --reload the parent process only restarts the child: the child checks.
        if not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            _requeue(self.stdout)
            threading.Thread(target=_keep_requeueing, args=(self.stdout,), daemon=True).start()
        super().handle(*args, reload=reload, **options)
