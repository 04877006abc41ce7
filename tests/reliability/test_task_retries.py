"""Background emails through the real database queue: retried when the mail server refuses
or is down, never sent twice with two workers taking tasks from the same queue, and sent
once when the worker sending it is killed."""

import signal
import subprocess
import sys
import time

import psycopg
import pytest

from tests.reliability import servers
from tests.reporting import report

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.timeout(180)]

# Poll often so the test stays short.
WORKER_OPTIONS = ("--interval", "0.2", "--no-startup-delay", "--no-reload")

ENQUEUE = """
import sys, django
django.setup()
from core.emails import new_key, send_member_email
for address in sys.argv[1:]:
    send_member_email.enqueue(
        recipient_id=None, email=address, template="network/email/invitation_accepted",
        context={"member": "Ana", "cluster_name": "Café & Co", "role": "mentor",
                 "cluster_url": "http://127.0.0.1/clusters/cafe/"},
        key=new_key(),
    )
"""


def test_failed_emails_are_retried_and_none_is_sent_twice(fault_databases, workdir, processes):
    database = fault_databases.fresh()
    smtp = servers.SmtpServer()  # not started: the mail server is down at first
    processes.append(smtp)
    env = servers.base_env(
        database_url=database,
        redis_url=None,
        TASK_WORKER="true",
        TASK_RETRY_DELAY="1",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_USE_TLS="false",
        LOG_LEVEL="INFO",
    )
    addresses = [f"member{i}@example.org" for i in range(10)]
    _enqueue(env, addresses)
    processes.extend(_Worker(env, workdir / f"worker{i}.log") for i in range(2))

    # Every email fails once against the absent server, and is scheduled again.
    servers.wait_for(
        lambda: _count(database, "status = 'FAILED'") >= len(addresses),
        timeout=60,
        what="each email to fail while the mail server is down",
    )
    # Back, but refusing the first three messages with "451 try again later".
    smtp.refuse_next = 3
    smtp.start()
    servers.wait_for(
        lambda: set(smtp.accepted) >= set(addresses), timeout=60, what="every email sent"
    )
    servers.wait_for(
        lambda: _count(database, "status IN ('READY', 'RUNNING')") == 0,
        timeout=60,
        what="the queue to empty",
    )
    assert smtp.refused == 3
    assert sorted(smtp.accepted) == sorted(addresses), "an email was sent twice"
    assert _count(database, "status = 'SUCCESSFUL'") == len(addresses)
    assert _count(database, "status = 'FAILED'") >= len(addresses) + 3  # each a retry
    report("fault scenarios passed", 1)


def test_an_email_whose_worker_is_killed_mid_send_is_sent_once_by_the_next_worker(
    fault_databases, workdir, processes
):
    database = fault_databases.fresh()
    smtp = servers.SmtpServer()
    smtp.hold_next = 1  # the first message hangs in the middle of its SMTP conversation
    smtp.start()
    processes.append(smtp)
    env = servers.base_env(
        database_url=database,
        redis_url=None,
        TASK_WORKER="true",
        TASK_STALE_AFTER="1",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_USE_TLS="false",
        LOG_LEVEL="INFO",
    )
    already_sent = _sent_emails(database)  # by the seeding, in the request
    _enqueue(env, ["member@example.org"])
    first = _Worker(env, workdir / "first.log")
    processes.append(first)
    assert smtp.holding.wait(timeout=60), "the worker never started sending"
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    time.sleep(2)  # longer than TASK_STALE_AFTER: nothing but a worker's death is left
    assert _count(database, "status = 'RUNNING'") == 1, "the killed worker's task"
    assert smtp.accepted == []

    processes.append(_Worker(env, workdir / "second.log"))
    servers.wait_for(
        lambda: _count(database, "status = 'SUCCESSFUL'") == 1,
        timeout=60,
        what="the next worker to send the email",
    )
    time.sleep(3)  # a second copy, if any, would have had the time to go
    assert smtp.accepted == ["member@example.org"], "sent once, not zero or twice"
    assert _count(database, "status <> 'SUCCESSFUL'") == 0
    with psycopg.connect(database, autocommit=True) as check:
        (claims,) = check.execute(
            "SELECT jsonb_array_length(worker_ids::jsonb) FROM django_tasks_database_dbtaskresult"
        ).fetchone()
    assert claims == 2, "claimed by the killed worker, then by the next"
    assert _sent_emails(database) == already_sent + 1
    report("fault scenarios passed", 1)


def _sent_emails(database: str) -> int:
    with psycopg.connect(database, autocommit=True) as check:
        return check.execute("SELECT count(*) FROM network_sentemail").fetchone()[0]


def _enqueue(env: dict, addresses: list[str]) -> None:
    made = subprocess.run(
        [sys.executable, "-c", ENQUEUE, *addresses],
        cwd=servers.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr


def _count(database: str, where: str) -> int:
    with psycopg.connect(database, autocommit=True) as check:
        return check.execute(
            f"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE {where}"
        ).fetchone()[0]


class _Worker:
    """One `manage.py db_worker` process, polling often so the test stays short."""

    def __init__(self, env: dict, log_path):
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", *WORKER_OPTIONS],
                cwd=servers.ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
