"""The ledger is append-only and always reconciles; confirmations racing credit once."""

import random
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from incentives import flags, ledger, services
from incentives.models import Account, Contribution, LedgerEntry
from tests.incentives.conftest import build

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database triggers and real concurrency run in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)


def credited_session(setting, n):
    return services.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=setting.follower,
        cluster=setting.cluster,
        source=f"mentoring.session:{n}",
        confirmed_by=setting.follower,
    )


def test_the_model_layer_refuses_to_change_or_remove_entries(setting):
    credited_session(setting, 1)
    entry = LedgerEntry.objects.get(kind="credit")
    entry.amount = Decimal("1")
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))
    with pytest.raises(TypeError, match="append-only"):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("50")


@on_postgres
def test_postgresql_refuses_update_and_delete_of_ledger_rows(setting):
    credited_session(setting, 1)
    entry = LedgerEntry.objects.get(kind="credit")
    for sql in (
        "UPDATE incentives_ledgerentry SET amount = 1 WHERE id = %s",
        "DELETE FROM incentives_ledgerentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("50")


def test_reconcile_passes_after_thousands_of_random_operations(db, capsys, monkeypatch):
    monkeypatch.setattr(flags, "detect", lambda contribution: [])  # not what this test is about
    setting = build(budget="1000000", session_amount="7.35")
    rng = random.Random(42)
    credited = []
    for n in range(2000):
        if credited and rng.random() < 0.2:
            contribution = credited.pop(rng.randrange(len(credited)))
            services.reverse_credit(contribution=contribution, by=setting.officer, reason="test")
        else:
            contribution = services.record_contribution(
                kind="session_held",
                actor=setting.mentor,
                counterpart=rng.choice([setting.follower, setting.other_follower]),
                cluster=setting.cluster,
                source=f"mentoring.session:{n}",
                confirmed_by=None,
                occurred_at=None,
            )
            services.confirm_contribution(contribution=contribution, by=contribution.counterpart)
            contribution.refresh_from_db()
            if contribution.status == Contribution.Status.CREDITED:
                credited.append(contribution)
    entries = LedgerEntry.objects.count()
    assert entries > 2000
    assert ledger.reconcile() == []
    call_command("reconcile")
    assert f"against {entries} entries" in capsys.readouterr().out
    mentor = ledger.account(setting.programme, "member", setting.mentor)
    assert mentor.balance == Decimal("7.35") * len(credited)


def test_reconcile_fails_and_names_a_tampered_balance(setting, capsys):
    credited_session(setting, 1)
    mentor = ledger.account(setting.programme, "member", setting.mentor)
    Account.objects.filter(pk=mentor.pk).update(balance=Decimal("500"))
    with pytest.raises(CommandError, match="1 account"):
        call_command("reconcile")
    err = capsys.readouterr().err
    assert f"account {mentor.pk} (member" in err
    assert "balance 500.00, entries say 50.00, difference 450.00" in err


def _race(n, target):
    barrier = threading.Barrier(n)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_confirmations_credit_exactly_once():
    setting = build()
    contribution = services.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=setting.follower,
        cluster=setting.cluster,
        source="mentoring.session:1",
    )
    errors = _race(
        8, lambda: services.confirm_contribution(contribution=contribution, by=setting.follower)
    )
    assert len(errors) == 7  # the others are told it is already decided
    assert LedgerEntry.objects.filter(kind="credit").count() == 1
    assert ledger.account(setting.programme, "member", setting.mentor).balance == Decimal("50")


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_reports_of_the_same_confirmed_source_credit_exactly_once():
    setting = build()
    errors = _race(8, lambda: credited_session(setting, 1))
    assert errors == []
    assert Contribution.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="credit").count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_credits_never_pass_the_budget():
    setting = build(budget="120")
    sources = iter(range(100))
    lock = threading.Lock()

    def one():
        with lock:
            n = next(sources)
        follower = setting.follower if n % 2 else setting.other_follower
        services.record_contribution(
            kind="session_held",
            actor=setting.mentor,
            counterpart=follower,
            cluster=setting.cluster,
            source=f"mentoring.session:{n}",
            confirmed_by=follower,
        )

    assert _race(6, one) == []
    assert ledger.budget_left(setting.programme) >= 0
    credited = sum(e.amount for e in LedgerEntry.objects.filter(kind="credit"))
    assert credited == Decimal("120")
    assert ledger.reconcile() == []
