"""Emails sent once whatever happens to the task that sends them, and tasks left running by a
dead worker queued again (tests/reliability/test_task_retries.py kills a real worker)."""

import logging
import smtplib
from datetime import timedelta

import psycopg
import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import emails, worker
from core.models import SentEmail

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="workers' leases are PostgreSQL advisory locks (DATABASE_URL=postgres://…)",
)

EMAIL = {
    "recipient_id": None,
    "email": "ana@example.org",
    "template": "network/email/invitation_accepted",
    "context": {"member": "Ana", "cluster_name": "Café", "role": "mentor", "cluster_url": "/"},
}


def test_the_same_email_run_twice_is_sent_once():
    emails.send_member_email.call(**EMAIL, key="k1")
    emails.send_member_email.call(**EMAIL, key="k1")
    emails.send_member_email.call(**EMAIL, key="k2")
    assert len(mail.outbox) == 2
    assert [m.extra_headers["Message-ID"].split("@")[0] for m in mail.outbox] == ["<k1", "<k2"]
    assert sorted(SentEmail.objects.values_list("key", flat=True)) == ["k1", "k2"]


def test_an_email_the_server_refused_is_not_recorded_so_its_retry_sends_it(monkeypatch):
    def refuse(message):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(emails, "_deliver", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        emails.send_member_email.call(**EMAIL, key="k1")
    assert not SentEmail.objects.exists()
    monkeypatch.undo()
    emails.send_member_email.call(**EMAIL, key="k1")
    assert len(mail.outbox) == 1 and SentEmail.objects.filter(key="k1").exists()


def running(*, minutes_ago: float, claims: int = 1) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [], "kwargs": {**EMAIL, "key": "k"}},
        task_path="core.emails.send_member_email",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[f"worker{n}" for n in range(claims)],
    )


def statuses(*rows) -> list[str]:
    return [DBTaskResult.objects.get(pk=row.pk).status for row in rows]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL reads leases instead")
@override_settings(TASK_LEASE=timedelta(hours=1))
def test_without_postgres_a_task_running_past_its_lease_is_queued_again(caplog):
    lost, busy, doomed = (
        running(minutes_ago=90),
        running(minutes_ago=5),
        running(minutes_ago=90, claims=worker.MAX_CLAIMS),
    )
    with caplog.at_level(logging.WARNING, logger="core.worker"):
        found = worker.requeue_stale_tasks()
    assert (found.requeued, found.given_up) == (1, 1)
    assert statuses(lost, busy, doomed) == ["READY", "RUNNING", "FAILED"]
    assert DBTaskResult.objects.ready().filter(pk=lost.pk).exists()
    assert "given up" in caplog.text and caplog.records[-1].levelno == logging.ERROR


@on_postgres
def test_a_task_whose_worker_holds_its_lease_is_left_running_until_the_worker_is_gone():
    task = running(minutes_ago=90)
    settings = connection.settings_dict
    holder = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    )
    holder.execute("SELECT pg_advisory_lock(%s)", [worker.lease_key(task.pk)])
    assert worker.requeue_stale_tasks().requeued == 0
    assert statuses(task) == ["RUNNING"]
    holder.close()  # the worker dies: its connection, and the lease with it, go
    assert worker.requeue_stale_tasks().requeued == 1
    assert statuses(task) == ["READY"]


def test_a_task_just_claimed_is_left_to_its_worker():
    task = running(minutes_ago=0)
    assert worker.requeue_stale_tasks().requeued == 0
    assert statuses(task) == ["RUNNING"]
