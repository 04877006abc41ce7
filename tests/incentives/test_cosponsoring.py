"""Several agencies sponsor one cluster: one contribution is credited under one programme at
most, chosen by the stated rule; the ledger refuses a second, and `reconcile` names one."""

import contextlib
import datetime
import threading
from decimal import Decimal

import pgtrigger
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone

from core.errors import NotAllowed
from incentives import selectors, services
from incentives.models import Account, Contribution, LedgerEntry
from incentives.services import ledger, settlement
from network.models import Cluster, Sponsorship, User
from network.services import sponsorships
from tests.concurrency import race
from tests.factories import AgencyFactory, OfficerFactory, sponsor_directly
from tests.incentives.conftest import build

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="database triggers and real concurrency run in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)


def second_sponsor(setting, *, began=None, amount="70"):
    """Another agency sponsoring the same cluster, with its own programme rewarding sessions."""
    agency = AgencyFactory(name="Crédito Exportador")
    officer = OfficerFactory(name="Omar Officer", organization=agency)
    sponsorship = sponsor_directly(setting.cluster, agency)
    if began is not None:
        Sponsorship.objects.filter(pk=sponsorship.pk).update(decided_at=began)
    today = datetime.date.today()
    programme = services.create_programme(
        by=officer,
        name="Crédito 2026",
        clusters=[setting.cluster],
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=30),
        unit="USD",
        budget=Decimal("777"),
    )
    services.set_rule(
        programme=programme,
        by=officer,
        kind="session_held",
        amount=Decimal(amount),
        confirmer="counterpart",
    )
    return agency, officer, programme


def session(setting, n=1, **extra):
    return services.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=setting.follower,
        cluster=setting.cluster,
        source=f"mentoring.session:{n}",
        confirmed_by=setting.follower,
        **extra,
    )


def test_the_first_sponsors_programme_credits_a_contribution_both_reward(setting):
    _agency, _officer, later = second_sponsor(setting)
    contribution = session(setting)
    assert contribution.programme == setting.programme
    assert LedgerEntry.objects.filter(kind="credit").count() == 1
    assert selectors.member_balance(setting.programme, setting.mentor) == Decimal("50")
    assert selectors.member_balance(later, setting.mentor) == 0


def test_the_rule_follows_when_sponsorship_began_not_which_programme_is_older(setting):
    # The second agency's programme is newer (higher id), but it sponsored the cluster first.
    began = timezone.now() - datetime.timedelta(days=365)
    _agency, _officer, earlier_sponsors = second_sponsor(setting, began=began)
    assert earlier_sponsors.pk > setting.programme.pk
    contribution = session(setting)
    assert contribution.programme == earlier_sponsors
    assert selectors.member_balance(earlier_sponsors, setting.mentor) == Decimal("70")
    assert selectors.member_balance(setting.programme, setting.mentor) == 0


def test_an_ended_sponsorship_hands_new_contributions_to_the_next_sponsor(setting):
    began = timezone.now() - datetime.timedelta(days=365)
    agency, officer, first = second_sponsor(setting, began=began)
    credited = session(setting, 1)
    sponsorship = Sponsorship.objects.get(agency=agency, status="active")
    sponsorships.revoke_sponsorship(sponsorship=sponsorship, by=officer)
    later = session(setting, 2)
    assert credited.programme == first and later.programme == setting.programme
    # The same source reported again stays with the programme that took it: never twice.
    again = session(setting, 1)
    assert again.pk == credited.pk
    assert LedgerEntry.objects.filter(kind="credit").count() == 2


def test_ties_on_the_day_sponsorship_began_go_to_the_lowest_programme_id(setting):
    same = Sponsorship.objects.get(agency=setting.agency).decided_at
    second_sponsor(setting, began=same)
    assert session(setting).programme == setting.programme


def test_settling_under_another_programmes_rule_is_refused(setting):
    _agency, _officer, other = second_sponsor(setting)
    contribution = services.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=setting.follower,
        cluster=setting.cluster,
        source="mentoring.session:9",
    )
    rule = other.rules.get(kind="session_held")
    with pytest.raises(ValueError, match="own programme"), transaction.atomic():
        settlement.settle(contribution, rule, by=None)
    assert LedgerEntry.objects.filter(kind="credit").count() == 0


def test_the_ledger_refuses_a_credit_in_another_programme(setting):
    _agency, _officer, other = second_sponsor(setting)
    contribution = session(setting)
    budget = ledger.account(other, Account.Kind.PROGRAMME)
    member = ledger.account(other, Account.Kind.MEMBER, setting.mentor)
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.post_entry(
            programme=other,
            kind=LedgerEntry.Kind.CREDIT,
            debit=budget,
            credit=member,
            amount=Decimal("70"),
            by=None,
            contribution=contribution,
        )
    assert selectors.member_balance(other, setting.mentor) == 0


@on_postgres
def test_postgresql_refuses_an_entry_outside_the_contributions_programme(setting):
    _agency, _officer, other = second_sponsor(setting)
    contribution = session(setting)
    budget = ledger.account(other, Account.Kind.PROGRAMME)
    member = ledger.account(other, Account.Kind.MEMBER, setting.mentor)
    sql = (
        "INSERT INTO incentives_ledgerentry (programme_id, kind, debit_id, credit_id, amount, "
        "contribution_id, memo, created_at) VALUES (%s, 'reversal', %s, %s, 1, %s, '', now())"
    )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [other.pk, budget.pk, member.pk, contribution.pk])
    assert not LedgerEntry.objects.filter(programme=other, contribution__isnull=False).exists()


@contextlib.contextmanager
def _guard_lifted(trigger: str):
    """The trigger told to let this transaction's writes be, on PostgreSQL (SQLite has no
    triggers). pgtrigger.ignore would add the same setting to every statement, as a second
    command in it, which a prepared statement refuses; here it is set once, on its own."""
    if connection.vendor != "postgresql":
        yield
        return
    [(model, found)] = pgtrigger.registered(trigger)
    with transaction.atomic(), connection.cursor() as cursor:
        ignored = "{" + found.get_pgid(model) + "}"  # a PostgreSQL array of trigger ids
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignored])
        yield


def force_a_second_programmes_credit(setting, other, contribution):
    """Bad data written past the services and the database's guards, as a faulty import
    or a hand-written SQL fix could."""
    budget = ledger.account(other, Account.Kind.PROGRAMME)
    member = ledger.account(other, Account.Kind.MEMBER, setting.mentor)
    with _guard_lifted("incentives.LedgerEntry:credit_in_own_programme"):
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    programme=other,
                    kind=LedgerEntry.Kind.FUNDING,
                    debit=ledger.account(other, Account.Kind.FUNDING),
                    credit=budget,
                    amount=Decimal("0.01"),
                ),
                LedgerEntry(
                    programme=other,
                    kind=LedgerEntry.Kind.REVERSAL,
                    debit=budget,
                    credit=member,
                    amount=Decimal("0.01"),
                    contribution=contribution,
                ),
            ]
        )
    # The balances move as the entries say, so only the double funding is wrong.
    Account.objects.filter(pk=ledger.account(other, Account.Kind.FUNDING).pk).update(
        balance=F("balance") - Decimal("0.01")
    )
    Account.objects.filter(pk=member.pk).update(balance=F("balance") + Decimal("0.01"))


def test_reconcile_names_a_contribution_credited_under_two_programmes(setting, capsys):
    _agency, _officer, other = second_sponsor(setting)
    contribution = session(setting)
    call_command("reconcile")
    assert "no contribution is credited under more than one programme" in capsys.readouterr().out
    force_a_second_programmes_credit(setting, other, contribution)
    with pytest.raises(CommandError, match=r"1 contribution\(s\) funded twice"):
        call_command("reconcile")
    err = capsys.readouterr().err
    assert (
        f"contribution {contribution.pk}: credited under more than one programme or more than "
        f"once (its own programme {setting.programme.pk}; others {other.pk}; 1 credit entries)"
    ) in err
    assert [d.programmes for d in selectors.reconcile_double_funding()] == [
        sorted([setting.programme.pk, other.pk])
    ]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_programmes_racing_for_one_contribution_credit_it_exactly_once():
    setting = build()
    _agency, _officer, other = second_sponsor(setting)
    contribution = services.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=setting.follower,
        cluster=setting.cluster,
        source="mentoring.session:1",
    )
    rules = iter([setting.programme.rules.get(kind="session_held")] * 4 + [other.rules.get()] * 4)
    lock = threading.Lock()

    def credit():
        # Each thread credits the one contribution under "its" programme, from a stale copy
        # and without the service's lock: only the ledger itself stands between them.
        with lock:
            rule = next(rules)
        stale = Contribution.objects.get(pk=contribution.pk)
        stale.programme_id = rule.programme_id
        with transaction.atomic():
            settlement.settle(stale, rule, by=None)

    errors = race(8, credit)
    assert len(errors) == 7 and all(isinstance(e, IntegrityError) for e in errors), errors
    credits = LedgerEntry.objects.filter(kind="credit")
    assert credits.count() == 1
    assert credits.get().programme_id == setting.programme.pk
    assert selectors.member_balance(setting.programme, setting.mentor) == Decimal("50")
    assert selectors.member_balance(other, setting.mentor) == 0
    assert selectors.reconcile() == [] and selectors.reconcile_double_funding() == []


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_reports_under_two_sponsors_make_one_contribution_and_one_credit():
    setting = build()
    second_sponsor(setting)
    assert race(8, lambda: session(setting)) == []
    assert Contribution.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="credit").count() == 1
    assert selectors.reconcile() == [] and selectors.reconcile_double_funding() == []


# What agencies see of each other.


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_co_sponsor_sees_the_other_programmes_but_not_their_money(setting):
    _agency, officer, _other = second_sponsor(setting)
    session(setting)  # credited under the first sponsor's programme
    seen = selectors.co_sponsors(officer)
    assert [(co.agency, co.cluster) for co in seen] == [(setting.agency, setting.cluster)]
    [shown] = seen[0].programmes
    assert shown.programme == setting.programme
    assert "One-to-one session held" in shown.activities
    assert shown.budget is None and shown.credited is None
    page = client_for(officer).get("/agency/").content.decode()
    assert "Mentores 2026" in page and "Mentoring incentives" in page
    assert "Figures not shared." in page
    assert "1,000.00" not in page and "1.000,00" not in page and "50.00" not in page
    # And the other way round, on the agency page the programme's page links to.
    page = client_for(setting.officer).get(setting.programme.get_absolute_url()).content.decode()
    assert 'href="/agency/#co-sponsors"' in page
    page = client_for(setting.officer).get("/agency/").content.decode()
    assert "Crédito Exportador" in page and "Crédito 2026" in page


def test_figures_appear_only_once_the_agency_shares_them(setting):
    _agency, officer, _other = second_sponsor(setting)
    session(setting)
    response = client_for(setting.officer).post(
        f"/agency/programmes/{setting.programme.pk}/sharing/", {"share": "on"}
    )
    assert response.status_code == 302
    [shown] = selectors.co_sponsors(officer)[0].programmes
    assert (shown.budget, shown.credited) == (Decimal("1000"), Decimal("50"))
    assert "50.00 of 1,000.00 USD credited" in client_for(officer).get("/agency/").content.decode()
    client_for(setting.officer).post(
        f"/agency/programmes/{setting.programme.pk}/sharing/", {"share": ""}
    )
    assert selectors.co_sponsors(officer)[0].programmes[0].budget is None


def test_only_the_programmes_agency_may_share_its_figures(setting):
    _agency, officer, _other = second_sponsor(setting)
    response = client_for(officer).post(
        f"/agency/programmes/{setting.programme.pk}/sharing/", {"share": "on"}
    )
    assert response.status_code == 404
    setting.programme.refresh_from_db()
    assert setting.programme.share_figures is False
    with pytest.raises(NotAllowed):
        services.set_figure_sharing(programme=setting.programme, by=officer, share=True)


def test_agencies_that_share_no_cluster_see_nothing_of_each_other(setting):
    stranger = OfficerFactory(organization=AgencyFactory(name="Lejana"))
    assert selectors.co_sponsors(stranger) == []
    assert selectors.co_sponsors(setting.mentor) == []
    page = client_for(stranger).get("/agency/").content.decode()
    assert "No other agency sponsors these clusters." in page
    assert "Mentores 2026" not in page
    # An ended sponsorship ends the view.
    agency, officer, _other = second_sponsor(setting)
    sponsorships.revoke_sponsorship(
        sponsorship=Sponsorship.objects.get(agency=agency, status="active"), by=officer
    )
    assert selectors.co_sponsors(officer) == []
    assert selectors.co_sponsors(setting.officer) == []


def test_the_demo_shows_a_cluster_two_agencies_sponsor(db):
    call_command("seed_demo")
    huila = Cluster.objects.get(name="Café de Especialidad del Huila")
    assert huila.sponsorships.filter(status="active").count() == 2
    ines = User.objects.get(email__startswith="ines@")
    [co] = selectors.co_sponsors(ines)
    assert co.agency.name == "Agencia Andina de Exportaciones"
    assert [seen.programme.name for seen in co.programmes] == ["Mentores del Café 2026"]
    assert co.programmes[0].budget is not None  # the demo's first sponsor shares its figures
    # What the cluster's members did is credited under the first sponsor's programme only.
    assert not Contribution.objects.filter(programme__name="Primeros Embarques 2026").exists()
    assert selectors.reconcile_double_funding() == []
