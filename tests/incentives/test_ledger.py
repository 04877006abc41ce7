"""The ledger is append-only and always reconciles; confirmations racing credit once."""

import datetime
import random
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import DomainError
from incentives import gaming_flags, selectors, services
from incentives.models import (
    Account,
    ApiToken,
    Contribution,
    LedgerEntry,
    Payout,
    PeriodApproval,
    Programme,
    RuleChange,
)
from incentives.services import ledger
from tests.concurrency import race
from tests.factories import OrganizationFactory, add_member
from tests.incentives.conftest import build, member_of

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
    """Two months of credits (some capped, some refused), late confirmations, reversals,
    budget increases, an approval and payouts, in random order; then every balance, every
    contribution and every budget agrees with the ledger."""
    monkeypatch.setattr(
        gaming_flags, "detect", lambda contribution: []
    )  # not what this test is about
    setting = build(budget="7000", member_cap="2000", pair_cap="1100", session_amount="7.35")
    second = add_member(setting.cluster, member_of(OrganizationFactory(), "Mora"), role="mentor")
    mentors, followers = [setting.mentor, second], [setting.follower, setting.other_follower]
    rng = random.Random(42)
    real_now = timezone.now
    earlier = real_now() - datetime.timedelta(days=35)
    monkeypatch.setattr(timezone, "now", lambda: earlier)  # the first half, a month ago
    credited, pending = [], []
    operations = 2000
    for n in range(operations):
        if n == operations // 2:
            monkeypatch.setattr(timezone, "now", real_now)
            month = selectors.month_start(timezone.localtime(earlier).date())
            services.approve_month(programme=setting.programme, month=month, by=setting.officer)
            for mentor in mentors:
                services.pay(
                    programme=setting.programme,
                    member=mentor,
                    month=month,
                    reference=f"TRF-{mentor.pk}",
                    by=setting.officer,
                )
        roll = rng.random()
        if roll < 0.15 and credited:
            contribution = credited.pop(rng.randrange(len(credited)))
            services.reverse_credit(contribution=contribution, by=setting.officer, reason="test")
            continue
        if roll < 0.25 and pending:
            contribution = pending.pop(rng.randrange(len(pending)))
            contribution = services.confirm_contribution(
                contribution=contribution, by=contribution.counterpart
            )
        elif roll < 0.26:
            services.add_budget(
                programme=setting.programme, by=setting.officer, amount=Decimal("250.50")
            )
            continue
        else:
            follower = rng.choice(followers)
            contribution = services.record_contribution(
                kind="session_held",
                actor=rng.choice(mentors),
                counterpart=follower,
                cluster=setting.cluster,
                source=f"mentoring.session:{n}",
                confirmed_by=follower if rng.random() < 0.8 else None,
            )
            if contribution.status == Contribution.Status.PENDING:
                pending.append(contribution)
        if contribution.status in (Contribution.Status.CREDITED, Contribution.Status.CAPPED):
            credited.append(contribution)

    kinds = Counter(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds["credit"] > 1000 and kinds["reversal"] > 150 and kinds["funding"] > 5
    assert kinds["payout"] == 2
    statuses = Counter(Contribution.objects.values_list("status", flat=True))
    assert statuses["capped"] and statuses["rejected"] > kinds["reversal"]
    assert selectors.reconcile() == [] and selectors.reconcile_records() == []
    call_command("reconcile")
    assert f"against {sum(kinds.values())} entries" in capsys.readouterr().out
    for mentor in mentors:
        earned = sum(c.amount for c in credited if c.actor_id == mentor.pk)
        paid = sum(p.amount for p in Payout.objects.filter(member=mentor))
        assert selectors.member_balance(setting.programme, mentor) == earned - paid


def test_reconcile_fails_and_names_a_tampered_balance(setting, capsys):
    credited_session(setting, 1)
    mentor = ledger.account(setting.programme, "member", setting.mentor)
    Account.objects.filter(pk=mentor.pk).update(balance=Decimal("500"))
    with pytest.raises(CommandError, match="1 account"):
        call_command("reconcile")
    err = capsys.readouterr().err
    assert f"account {mentor.pk} (member" in err
    assert "balance 500.00, entries say 50.00, difference 450.00" in err


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
    errors = race(
        8, lambda: services.confirm_contribution(contribution=contribution, by=setting.follower)
    )
    assert len(errors) == 7  # the others are told it is already decided
    assert LedgerEntry.objects.filter(kind="credit").count() == 1
    assert selectors.member_balance(setting.programme, setting.mentor) == Decimal("50")


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_reports_of_the_same_confirmed_source_credit_exactly_once():
    setting = build()
    errors = race(8, lambda: credited_session(setting, 1))
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

    assert race(6, one) == []
    assert selectors.budget_left(setting.programme) >= 0
    credited = sum(e.amount for e in LedgerEntry.objects.filter(kind="credit"))
    assert credited == Decimal("120")
    assert selectors.reconcile() == []


def test_approvals_payouts_and_rule_history_are_append_only_in_the_model_layer(setting):
    month = datetime.date(2025, 1, 1)
    approval = PeriodApproval.objects.create(
        programme=setting.programme,
        month=month,
        approved_by=setting.officer,
        total=0,
        entries=0,
    )
    payout = Payout.objects.create(
        programme=setting.programme,
        member=setting.mentor,
        month=month,
        amount=Decimal("5"),
        reference="TRF-1",
        paid_by=setting.officer,
    )
    change = RuleChange.objects.first()
    for row in (approval, payout, change):
        manager = type(row).objects
        with pytest.raises(TypeError, match="append-only"):
            row.save()
        with pytest.raises(TypeError, match="append-only"):
            row.delete()
        with pytest.raises(TypeError, match="append-only"):
            manager.filter(pk=row.pk).update(pk=row.pk)
        with pytest.raises(TypeError, match="append-only"):
            type(row)._base_manager.filter(pk=row.pk).delete()
    assert Payout.objects.get().reference == "TRF-1"


def test_a_new_row_given_an_existing_id_does_not_overwrite_the_entry(setting):
    funding = LedgerEntry.objects.get(kind="funding")
    copy = LedgerEntry(
        pk=funding.pk,
        programme=setting.programme,
        kind="funding",
        debit=funding.debit,
        credit=funding.credit,
        amount=Decimal("1"),
    )
    with pytest.raises((IntegrityError, TypeError)), transaction.atomic():
        copy.save()
    assert LedgerEntry.objects.get(pk=funding.pk).amount == Decimal("1000")


@on_postgres
def test_postgresql_refuses_update_and_delete_of_approvals_and_rule_history(setting):
    services.approve_month(
        programme=setting.programme, month=datetime.date(2025, 1, 1), by=setting.officer
    )
    for table in ("incentives_periodapproval", "incentives_rulechange"):
        for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert PeriodApproval.objects.count() == 1 and RuleChange.objects.count() == 4


def test_entries_move_balances_in_one_order_whichever_the_direction(setting):
    """A credit and its reversal touch the same two accounts; both update them in id order,
    so a reversal and a credit of the same member, racing, cannot deadlock."""
    contribution = credited_session(setting, 1)
    with CaptureQueriesContext(connection) as queries:
        services.reverse_credit(contribution=contribution, by=setting.officer, reason="x")
    updated = [
        int(query["sql"].rsplit("=", 1)[1].strip(" ()"))
        for query in queries.captured_queries
        if query["sql"].startswith('UPDATE "incentives_account"')
    ]
    assert len(updated) == 2 and updated == sorted(updated)


def test_reconcile_fails_and_names_a_tampered_contribution_or_budget(setting, capsys):
    contribution = credited_session(setting, 1)
    call_command("reconcile")
    Contribution.objects.filter(pk=contribution.pk).update(amount=Decimal("70"))
    Programme.objects.filter(pk=setting.programme.pk).update(budget=Decimal("5000"))
    capsys.readouterr()
    with pytest.raises(CommandError, match=r"0 account\(s\) and 2 record"):
        call_command("reconcile")
    err = capsys.readouterr().err
    assert (
        f"contribution {contribution.pk}: recorded 70.00, entries say 50.00, difference 20.00"
        in err
    )
    assert f"programme {setting.programme.pk} budget: recorded 5000.00, entries say 1000.00" in err


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_credits_and_reversals_of_one_member_racing_never_deadlock(monkeypatch):
    monkeypatch.setattr(gaming_flags, "detect", lambda contribution: [])
    setting = build(budget="100000")
    credited = [credited_session(setting, n) for n in range(24)]
    lock = threading.Lock()
    sources = iter(range(100, 1000))

    def credit_then_reverse():
        for _ in range(6):
            with lock:
                n, earlier = next(sources), credited.pop()
            credited_session(setting, n)
            services.reverse_credit(contribution=earlier, by=setting.officer, reason="x")

    assert race(4, credit_then_reverse) == []
    kinds = Counter(LedgerEntry.objects.values_list("kind", flat=True))
    assert (kinds["credit"], kinds["reversal"]) == (48, 24)
    assert selectors.reconcile() == []


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_payments_of_one_member_pay_once_and_tell_the_others(monkeypatch):
    real_now = timezone.now
    earlier = real_now() - datetime.timedelta(days=40)
    setting = build()
    monkeypatch.setattr(timezone, "now", lambda: earlier)
    credited_session(setting, 1)
    monkeypatch.setattr(timezone, "now", real_now)
    month = selectors.month_start(timezone.localtime(earlier).date())

    def approve():
        services.approve_month(programme=setting.programme, month=month, by=setting.officer)

    def pay():
        services.pay(
            programme=setting.programme,
            member=setting.mentor,
            month=month,
            reference="TRF-1",
            by=setting.officer,
        )

    for action, done in ((approve, PeriodApproval), (pay, Payout)):
        errors = race(4, action)
        assert len(errors) == 3 and all(isinstance(e, DomainError) for e in errors), errors
        assert done.objects.count() == 1
    assert selectors.member_balance(setting.programme, setting.mentor) == 0
    assert selectors.reconcile() == []


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_credits_never_pass_the_monthly_caps(monkeypatch):
    monkeypatch.setattr(gaming_flags, "detect", lambda contribution: [])
    setting = build(member_cap="120", pair_cap="70")
    sources = iter(range(100))
    lock = threading.Lock()

    def one():
        with lock:
            n = next(sources)
        credited_session(setting, n) if n % 2 else services.record_contribution(
            kind="session_held",
            actor=setting.mentor,
            counterpart=setting.other_follower,
            cluster=setting.cluster,
            source=f"mentoring.session:{n}",
            confirmed_by=setting.other_follower,
        )

    assert race(6, one) == []
    by_pair = dict(
        Contribution.objects.filter(status__in=["credited", "capped"])
        .values("counterpart")
        .annotate(t=Sum("amount"))
        .values_list("counterpart", "t")
    )
    assert sum(by_pair.values()) == Decimal("120")
    assert all(total <= Decimal("70") for total in by_pair.values())
    assert selectors.reconcile() == [] and selectors.reconcile_records() == []


def test_a_paid_credit_taken_back_is_held_from_the_next_payment(setting, monkeypatch):
    """A reporting app takes back a credit already paid: the member owes it, and what they
    are paid next is less by that much, so paying never hands out more than was earned."""
    real_now = timezone.now
    paid_month, reversed_month, next_month = (
        real_now() - datetime.timedelta(days=days) for days in (110, 75, 38)
    )

    def at(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return selectors.month_start(timezone.localtime(moment).date())

    def approve_and_pay(month):
        services.approve_month(programme=setting.programme, month=month, by=setting.officer)
        return services.pay(
            programme=setting.programme,
            member=setting.mentor,
            month=month,
            reference=f"TRF-{month:%m}",
            by=setting.officer,
        )

    first = at(paid_month)
    credited_session(setting, 1)
    second = at(reversed_month)
    assert approve_and_pay(first).amount == Decimal("50")
    services.retract_contribution(
        kind="session_held", source="mentoring.session:1", by=None, reason="not held"
    )
    third = at(next_month)
    with pytest.raises(DomainError):
        approve_and_pay(second)  # that month only took a credit back
    credited_session(setting, 2)
    credited_session(setting, 3)
    monkeypatch.setattr(timezone, "now", real_now)

    assert approve_and_pay(third).amount == Decimal("50")  # 100 earned, 50 owed back
    assert sum(p.amount for p in Payout.objects.all()) == Decimal("100")  # = net credits
    assert selectors.member_balance(setting.programme, setting.mentor) == 0
    assert selectors.reconcile() == [] and selectors.reconcile_records() == []


def test_kept_balances_read_as_money_in_one_query(db):
    setting = build()
    nobody = add_member(setting.cluster, role="follower")
    assert selectors.member_balance(setting.programme, nobody) == Decimal("0")
    account = Account.objects.create(
        programme=setting.programme, kind=Account.Kind.MEMBER, member=nobody
    )
    Account.objects.filter(pk=account.pk).update(balance=Decimal("12.34"))
    with CaptureQueriesContext(connection) as queries:
        balance = selectors.member_balance(setting.programme, nobody)
    assert len(queries) == 1
    assert isinstance(balance, Decimal) and str(balance) == "12.34"
    budget = Account.objects.get(programme=setting.programme, kind=Account.Kind.PROGRAMME)
    assert selectors.budget_left(setting.programme) == budget.balance


@on_postgres
def test_a_programmes_budget_is_read_by_the_index_of_its_own_accounts(setting):
    """However many member accounts a programme holds, what it has left is one lookup in the
    unique index of a programme's own accounts: as crediting reads it and as the API lists it."""
    for member in (setting.mentor, setting.follower, setting.other_follower):
        ledger.account(setting.programme, Account.Kind.MEMBER, member)
    _token, key = ApiToken.issue(user=setting.officer, name="BI")
    sent = []

    def record(execute, sql, params, many, context):
        if "balance" in sql and Account._meta.db_table in sql:
            sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        left = selectors.budget_left(setting.programme)
        listed = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/agency/programmes")
    assert left == Decimal("1000") and listed.json()[0]["budget_left"] == "1000.00"
    assert len(sent) == 2
    with transaction.atomic(), connection.cursor() as cursor:
        # A table this small is read whole; told not to, the planner shows the index it can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql, params in sent:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "one_programme_account_per_kind" in plan, plan
