"""Background tasks whose worker died: found and queued again, so none stays "running".

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again; a
worker killed mid-task (out of memory, a host lost, `kill -9`) leaves it so for ever.

On PostgreSQL a worker holds an advisory lock named after the task while it runs it, on the
connection it claimed it with. The lock goes when the worker's connection does, so a task
still RUNNING whose lock anyone can take has lost its worker. Elsewhere (SQLite, a single
development machine) there is no such signal, and a task RUNNING for longer than TASK_LEASE
seconds is presumed lost.

A task lost too often is marked FAILED and logged as an error, for someone to look at.
"""

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

RUNNING = TaskResultStatus.RUNNING
# Claimed by this many workers, all gone: the task itself is probably what kills them.
MAX_CLAIMS = 3


class WorkerLost(Exception):
    """Recorded on a task given up after its workers died under it."""


@dataclass(frozen=True)
class Requeued:
    requeued: int
    given_up: int


def lease_key(task_id: str) -> int:
    """The task's id as the signed 64-bit number PostgreSQL's advisory locks are named by."""
    return int.from_bytes(uuid.UUID(str(task_id)).bytes[:8], "big", signed=True)


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def hold_lease(sender, task_result, **kwargs) -> None:
    """In the worker, as a task starts: hold its lock on the worker's own connection."""
    if _on_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lease_key(task_result.id)])


def release_lease(sender, task_result, **kwargs) -> None:
    if _on_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lease_key(task_result.id)])


def connect() -> None:
    # Only the database queue's workers: tasks run in the request hold no lease.
    task_started.connect(hold_lease, sender=DatabaseBackend, dispatch_uid="network.hold_lease")
    task_finished.connect(
        release_lease, sender=DatabaseBackend, dispatch_uid="network.release_lease"
    )


def _worker_gone(row: DBTaskResult, now) -> bool:
    if not _on_postgres():
        return row.started_at is None or row.started_at <= now - settings.TASK_LEASE
    with connection.cursor() as cursor:
        # Taken only if no live connection holds it; released when this transaction ends.
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lease_key(row.pk)])
        return cursor.fetchone()[0]


def requeue_stale_tasks(*, now=None) -> Requeued:
    """Queue again every task left RUNNING by a worker that is gone; give up on those whose
    workers keep dying. Safe to run from several processes at once."""
    now = now or timezone.now()
    # A worker takes its lock just after claiming: leave it the time to do so.
    settled = Q(started_at__isnull=True) | Q(started_at__lte=now - settings.TASK_STALE_AFTER)
    candidates = DBTaskResult.objects.filter(settled, status=RUNNING).values_list("pk", flat=True)
    requeued = given_up = 0
    for pk in list(candidates):
        with transaction.atomic():
            row = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status=RUNNING
            )
            row = row.first()
            if row is None or not _worker_gone(row, now):
                continue
            if len(row.worker_ids) >= MAX_CLAIMS:
                _give_up(row, now)
                given_up += 1
            else:
                row.status, row.started_at, row.run_after = TaskResultStatus.READY, None, now
                row.save(update_fields=["status", "started_at", "run_after"])
                requeued += 1
                logger.warning("Task %s %s lost its worker; queued again", row.task_path, pk)
    return Requeued(requeued=requeued, given_up=given_up)


def _give_up(row: DBTaskResult, now) -> None:
    row.status, row.finished_at = TaskResultStatus.FAILED, now
    row.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
    row.traceback = f"{len(row.worker_ids)} workers died running this task; not tried again."
    row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
    # An error, so whoever watches the logs is alerted: an email may not have gone out.
    logger.error(
        "Task %s %s given up: %d workers died running it",
        row.task_path,
        row.pk,
        len(row.worker_ids),
    )
