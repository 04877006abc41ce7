"""The ledger under chaos: thousands of random operations, duplicates, races and crashes.

Crashes are simulated two ways. On every database, an exception is raised inside the service's
transaction at a random point between its steps (after the contribution is decided but before
its entry is posted, after the entry but between the two balance updates...), and the test
proves the transaction left nothing behind. On PostgreSQL, worker processes crediting in a
loop are also killed with SIGKILL mid-transaction, and their work is then retried.

The seed is printed; rerun one with LEDGER_CHAOS_SEED=<seed>.
"""

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from contextlib import suppress
from decimal import Decimal
from functools import partial

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from core.errors import DomainError
from incentives import gaming_flags, selectors, services
from incentives.models import Account, Contribution, LedgerEntry
from incentives.services import ledger, settlement
from tests.concurrency import race
from tests.factories import OrganizationFactory, add_member
from tests.incentives.conftest import build, member_of
from tests.reporting import report

Status = Contribution.Status
# Thousands on SQLite; PostgreSQL's round trips cost more, and it also runs the kill test.
OPERATIONS = int(
    os.environ.get("LEDGER_CHAOS_OPERATIONS", 1200 if connection.vendor == "postgresql" else 2000)
)
CRASH_RATE = 0.15

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="killing a worker mid-transaction needs PostgreSQL (DATABASE_URL=postgres://…)",
)


def say(capsys, text: str) -> None:
    """Printed to the terminal whether or not pytest captures output: seeds and figures."""
    with capsys.disabled():
        print(f"\n{text}")


def _seed(capsys) -> int:
    seed = int(os.environ.get("LEDGER_CHAOS_SEED") or random.SystemRandom().randrange(10**9))
    say(capsys, f"ledger chaos seed: {seed} (rerun with LEDGER_CHAOS_SEED={seed})")
    return seed


class SimulatedCrash(Exception):
    """The process died here: whatever the transaction wrote must be rolled back."""


class Chaos:
    """Hooks between the steps of the incentives services; armed, one of them raises.

    Each hook runs the real step, then (or before it) raises when it is the armed point, so
    the crash lands at a random place inside the service's transaction.
    """

    def __init__(self, monkeypatch, rng: random.Random):
        self.rng = rng
        self.armed: int | None = None  # how many more hook calls before the crash
        self.points: Counter = Counter()
        real_decide = settlement.decide
        real_post = ledger.post_entry
        real_credit_accounts = ledger.credit_accounts
        real_create = LedgerEntry.objects.create
        real_update = QuerySet.update

        def decide(*args, **kwargs):
            self.hit("before decision")
            real_decide(*args, **kwargs)
            self.hit("after decision, before the entry")

        def post_entry(*args, **kwargs):
            entry = real_post(*args, **kwargs)
            self.hit("after the entry and both balances")
            return entry

        def credit_accounts(*args, **kwargs):
            found = real_credit_accounts(*args, **kwargs)
            self.hit("after locking the programme")
            return found

        def create(*args, **kwargs):
            entry = real_create(*args, **kwargs)
            self.hit("after the entry, before the balances")
            return entry

        def update(queryset, **kwargs):
            done = real_update(queryset, **kwargs)
            if queryset.model is Account:
                self.hit("between the two balance updates")
            return done

        monkeypatch.setattr(settlement, "decide", decide)
        monkeypatch.setattr(ledger, "post_entry", post_entry)
        monkeypatch.setattr(ledger, "credit_accounts", credit_accounts)
        monkeypatch.setattr(LedgerEntry.objects, "create", create)
        monkeypatch.setattr(QuerySet, "update", update)

    def arm(self) -> None:
        # Mostly early (every service reaches those points), sometimes deep in the posting.
        self.armed = self.rng.randrange(3 if self.rng.random() < 0.7 else 7)

    def disarm(self) -> None:
        self.armed = None

    def hit(self, point: str) -> None:
        if self.armed is None:
            return
        if self.armed == 0:
            self.armed = None
            self.points[point] += 1
            raise SimulatedCrash(point)
        self.armed -= 1


def fingerprint(contribution_pk: int | None = None) -> tuple:
    """What a rolled-back operation must leave exactly as it was."""
    balances = Account.objects.aggregate(total=Sum("balance"), n=Count("id"))
    row = None
    if contribution_pk is not None:
        row = (
            Contribution.objects.filter(pk=contribution_pk)
            .values_list("status", "amount", "confirmed_at", "attendees")
            .first()
        )
    return (
        Contribution.objects.count(),
        LedgerEntry.objects.count(),
        balances["n"],
        Decimal(balances["total"] or 0).quantize(selectors.CENT),
        list(Account.objects.order_by("pk").values_list("balance", flat=True)),
        row,
    )


def double_credits() -> int:
    """Every way a source could have been credited more than once, counted."""
    credits = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CREDIT)
    entries_twice = credits.values("contribution").annotate(n=Count("id")).filter(n__gt=1).count()
    sources_twice = (
        Contribution.objects.values("kind", "source", "actor")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    reversed_twice = (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL)
        .values("reverses")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    # No contribution nets more than its one credit (a reversal never runs the wrong way).
    amounts = dict(credits.values_list("contribution", "amount"))
    net = (
        LedgerEntry.objects.filter(contribution__isnull=False)
        .values("contribution")
        .annotate(
            credited=Sum("amount", filter=Q(kind=LedgerEntry.Kind.CREDIT)),
            reversed=Sum("amount", filter=Q(kind=LedgerEntry.Kind.REVERSAL)),
        )
    )
    overdrawn = sum(
        1
        for row in net
        if Decimal(row["credited"] or 0) - Decimal(row["reversed"] or 0)
        > amounts.get(row["contribution"], 0)
        or Decimal(row["reversed"] or 0) > Decimal(row["credited"] or 0)
    )
    return entries_twice + sources_twice + reversed_twice + overdrawn


def assert_reconciles(capsys) -> None:
    assert selectors.reconcile() == [] and selectors.reconcile_records() == []
    capsys.readouterr()
    call_command("reconcile")
    assert "Reconciled" in capsys.readouterr().out


def network(setting, mentors: int = 4, followers: int = 5):
    people = {"mentors": [setting.mentor], "followers": [setting.follower, setting.other_follower]}
    for n in range(mentors - 1):
        people["mentors"].append(
            add_member(setting.cluster, member_of(OrganizationFactory(), f"M{n}"), role="mentor")
        )
    for n in range(followers - 2):
        people["followers"].append(
            add_member(setting.cluster, member_of(OrganizationFactory(), f"F{n}"))
        )
    return people["mentors"], people["followers"]


class Operations:
    """The operations a busy network does to the ledger, picked at random."""

    def __init__(self, setting, mentors, followers, rng: random.Random):
        self.setting, self.mentors, self.followers, self.rng = setting, mentors, followers, rng
        self.sources: list[tuple[str, object, object]] = []  # (source, actor, counterpart)
        self.contributions: list[int] = []

    def _record(self, source, actor, counterpart, confirmed_by):
        contribution = services.record_contribution(
            kind="session_held" if counterpart is not None else "useful_post",
            actor=actor,
            counterpart=counterpart,
            cluster=self.setting.cluster,
            source=source,
            confirmed_by=confirmed_by,
        )
        if contribution is not None and contribution.pk not in self.contributions:
            self.contributions.append(contribution.pk)

    def _some(self, *statuses) -> Contribution | None:
        """One of a few contributions drawn at random, preferring those in `statuses`."""
        drawn = self.rng.sample(self.contributions, min(4, len(self.contributions)))
        found = list(Contribution.objects.filter(pk__in=drawn).select_related("counterpart"))
        preferred = [c for c in found if c.status in statuses]
        return self.rng.choice(preferred or found) if found else None

    def pick(self, n: int):
        """(name, contribution pk it touches, the call) for operation number n."""
        roll, rng, setting = self.rng.random(), self.rng, self.setting
        if roll < 0.35 or not self.contributions:
            actor = rng.choice(self.mentors)
            counterpart = rng.choice(self.followers) if rng.random() < 0.9 else None
            source = f"mentoring.session:{n}"
            self.sources.append((source, actor, counterpart))
            confirmer = rng.choice([counterpart or setting.coordinator] * 2 + [None])
            return "record", None, partial(self._record, source, actor, counterpart, confirmer)
        if roll < 0.50:
            # The reporting app says it again: a retried request, a second click.
            source, actor, counterpart = rng.choice(self.sources)
            found = Contribution.objects.filter(source=source, actor=actor).first()
            confirmer = counterpart or setting.coordinator
            call = partial(self._record, source, actor, counterpart, confirmer)
            return "duplicate report", found and found.pk, call
        if roll < 0.68:
            contribution = self._some(Status.PENDING)
            by = contribution.counterpart or setting.coordinator
            if rng.random() < 0.1:
                by = contribution.actor  # nobody confirms their own
            call = partial(services.confirm_contribution, contribution=contribution, by=by)
            return "confirm", contribution.pk, call
        if roll < 0.74:
            contribution = self._some(Status.REVIEW, Status.PENDING)
            call = partial(
                services.approve_contribution, contribution=contribution, by=setting.coordinator
            )
            return "approve", contribution.pk, call
        if roll < 0.90:
            contribution = self._some(Status.CREDITED, Status.CAPPED)
            call = partial(
                services.reverse_credit,
                contribution=contribution,
                by=setting.officer,
                reason="chaos",
            )
            return "reverse", contribution.pk, call
        if roll < 0.97:
            source, actor, counterpart = rng.choice(self.sources)
            found = Contribution.objects.filter(source=source, actor=actor).first()
            call = partial(
                services.withdraw_contribution,
                kind="session_held" if counterpart is not None else "useful_post",
                actor=actor,
                source=source,
                reason="chaos",
            )
            return "withdraw", found and found.pk, call
        call = partial(
            services.add_budget,
            programme=setting.programme,
            by=setting.officer,
            amount=Decimal("100.25"),
        )
        return "add budget", None, call


def test_random_operations_with_crashes_duplicates_and_reversals_credit_each_source_once(
    db, capsys, monkeypatch
):
    rng = random.Random(_seed(capsys))
    setting = build(budget="60000", member_cap="4000", pair_cap="1500", session_amount="12.35")
    mentors, followers = network(setting)
    # Patterns held for review are a coordinator's call, not what this test is about: a
    # random tenth is held, so approvals still run.
    monkeypatch.setattr(
        gaming_flags,
        "detect",
        lambda contribution: [{"code": "burst", "count": 9}] if rng.random() < 0.1 else [],
    )
    chaos = Chaos(monkeypatch, rng)
    operations = Operations(setting, mentors, followers, rng)
    done = Counter()
    started, cpu = time.monotonic(), time.process_time()
    for n in range(OPERATIONS):
        name, target, call = operations.pick(n)
        crash = rng.random() < CRASH_RATE
        before = fingerprint(target) if crash else None
        if crash:
            chaos.arm()
        try:
            call()
        except SimulatedCrash:
            # Rolled back as a dying process's transaction is: nothing half-written remains.
            assert fingerprint(target) == before, f"{name} left a trace after a crash"
            done["crashed"] += 1
        except DomainError:
            done["refused"] += 1  # already decided, no credit left to reverse, not allowed
        else:
            done[name] += 1
        finally:
            chaos.disarm()

    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    kinds = Counter(LedgerEntry.objects.values_list("kind", flat=True))
    say(
        capsys,
        f"ledger chaos on {connection.vendor}: {OPERATIONS} operations in {elapsed:.1f}s "
        f"({cpu:.1f}s of CPU), "
        f"{dict(done)}, crash points {dict(chaos.points)}, entries {dict(kinds)}",
    )
    found = double_credits()
    report("double credits", found)
    assert found == 0
    assert done["crashed"] > OPERATIONS * CRASH_RATE / 5
    assert kinds["credit"] > OPERATIONS / 6 and kinds["reversal"] > OPERATIONS / 30
    assert len(chaos.points) >= 4  # crashes landed between every kind of step
    assert_reconciles(capsys)


# --- PostgreSQL: racing threads and killed processes ---------------------------------

WORKER = textwrap.dedent(
    """
    import os, random, sys, time
    import django
    django.setup()
    from incentives import gaming_flags, services
    from incentives.services import ledger
    from network.models import Cluster, User

    gaming_flags.detect = lambda contribution: []  # held for review is not what this is about

    real_post = ledger.post_entry

    def slow_post(*args, **kwargs):
        # Widens the window in which the kill lands inside a transaction.
        entry = real_post(*args, **kwargs)
        time.sleep(random.random() * 0.01)
        return entry

    ledger.post_entry = slow_post
    cluster = Cluster.objects.get(pk=int(sys.argv[1]))
    actors = list(User.objects.filter(pk__in=sys.argv[2].split(",")))
    followers = list(User.objects.filter(pk__in=sys.argv[3].split(",")))
    first, last = int(sys.argv[4]), int(sys.argv[5])
    rng = random.Random(int(sys.argv[6]))
    print("ready", flush=True)
    while True:
        n = rng.randrange(first, last)
        follower = followers[n % len(followers)]
        services.record_contribution(
            kind="session_held",
            actor=actors[n % len(actors)],
            counterpart=follower,
            cluster=cluster,
            source=f"mentoring.session:{n}",
            confirmed_by=follower,
        )
        print(n, flush=True)
    """
)


WORKER_NAME = "ledger_chaos_worker"


def _in_transaction(pids_of: str) -> int:
    """How many of the workers' connections are inside a transaction right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND xact_start IS NOT NULL",
            [pids_of],
        )
        return cursor.fetchone()[0]


def _worker_env() -> dict:
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}?application_name={WORKER_NAME}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "PYTHONPATH": str(settings.BASE_DIR),
    }


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_killed_workers_and_racing_confirmations_never_credit_twice(capsys, monkeypatch):
    rng = random.Random(_seed(capsys))
    monkeypatch.setattr(gaming_flags, "detect", lambda contribution: [])
    setting = build(budget="100000", session_amount="3.10")
    mentors, followers = network(setting, mentors=3, followers=4)
    sources = 200
    kills = mid_transaction = 0
    for round_ in range(3):
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WORKER,
                    str(setting.cluster.pk),
                    ",".join(str(m.pk) for m in mentors),
                    ",".join(str(f.pk) for f in followers),
                    "0",
                    str(sources),
                    str(rng.randrange(10**9)),
                ],
                env=_worker_env(),
                cwd=settings.BASE_DIR,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for worker in workers:
            line = worker.stdout.readline()
            assert line.strip() == "ready", worker.stderr.read()
        # Each worker is killed in the middle of its stream, after a random number of
        # credits, wherever it then is (most of its time is spent inside a transaction).
        for worker in workers:
            for _ in range(rng.randrange(5, 40)):
                assert worker.stdout.readline(), worker.stderr.read()
        time.sleep(rng.random() * 0.02)
        mid_transaction += _in_transaction(WORKER_NAME)
        for worker in workers:
            worker.send_signal(signal.SIGKILL)
        for worker in workers:
            worker.wait(timeout=30)
            worker.stdout.close()
            worker.stderr.close()
            kills += 1
        say(capsys, f"round {round_}: {Contribution.objects.count()} contributions after kills")

    # PostgreSQL ends a dead client's transaction; wait until no backend of theirs holds one.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
            )
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.1)

    # What the killed workers did not finish is retried: racing threads reporting the same
    # sources, confirming the same contributions twice over.
    pending = iter(range(sources))
    lock = threading.Lock()

    def retry_everything():
        while True:
            with lock:
                n = next(pending, None)
            if n is None:
                return
            follower = followers[n % len(followers)]
            contribution = services.record_contribution(
                kind="session_held",
                actor=mentors[n % len(mentors)],
                counterpart=follower,
                cluster=setting.cluster,
                source=f"mentoring.session:{n}",
                confirmed_by=follower,
            )
            with suppress(DomainError):  # already decided: the duplicate is refused
                services.confirm_contribution(contribution=contribution, by=follower)

    assert race(4, retry_everything) == []
    unconfirmed = Contribution.objects.filter(counterpart__isnull=False, status=Status.PENDING)
    target = unconfirmed.first() or Contribution.objects.first()
    errors = race(
        6, lambda: services.confirm_contribution(contribution=target, by=target.counterpart)
    )
    assert all(isinstance(error, DomainError) for error in errors), errors

    assert Contribution.objects.count() == sources
    found = double_credits()
    say(
        capsys,
        f"killed workers: {kills} kills ({mid_transaction} seen inside a transaction), "
        f"{LedgerEntry.objects.filter(kind='credit').count()} "
        f"credits for {sources} sources, double credits {found}",
    )
    report("double credits", found)
    assert found == 0
    decided = Contribution.objects.filter(status__in=[Status.CREDITED, Status.CAPPED])
    assert LedgerEntry.objects.filter(kind="credit").count() == decided.count()
    assert_reconciles(capsys)
    assert mid_transaction >= 1  # at least one kill landed with a transaction open
