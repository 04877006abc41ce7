"""Members, coordinators and agency officers at work on the incentive pages and the API."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from incentives import selectors, services
from incentives.models import ApiToken, Contribution, LedgerEntry, Payout, PeriodApproval
from incentives.selectors import dashboard
from incentives.services import ledger
from incentives.templatetags.money import money
from tests.incentives.conftest import build


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report(setting, n, *, confirmed=True, follower=None):
    follower = follower or setting.follower
    return services.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=follower,
        cluster=setting.cluster,
        source=f"mentoring.session:{n}",
        confirmed_by=follower if confirmed else None,
        title=f"Sesión {n}",
        hours=1.5,
    )


@pytest.fixture
def other(db):
    """A second agency with its own programme: its officer must see nothing of the first."""
    return build()


def test_the_follower_confirms_from_their_credits_page_and_the_mentor_sees_it(setting):
    contribution = report(setting, 1, confirmed=False)
    follower = client_for(setting.follower)
    page = follower.get("/me/credits/").content.decode()
    assert "Mateo Mentor helped you: One-to-one session held" in page
    response = follower.post(f"/me/credits/{contribution.pk}/confirm/", follow=True)
    assert "your confirmation is recorded" in response.content.decode()
    mentor_page = client_for(setting.mentor).get("/me/credits/").content.decode()
    assert "50.00 USD" in mentor_page and "Credited" in mentor_page
    month = timezone.localdate()
    statement = (
        client_for(setting.mentor)
        .get(f"/me/credits/{setting.programme.pk}/{month.year}-{month.month}/")
        .content.decode()
    )
    assert "Closing balance" in statement and "Sesión 1" in statement


def test_nobody_else_confirms_for_the_follower(setting):
    contribution = report(setting, 1, confirmed=False)
    response = client_for(setting.other_follower).post(f"/me/credits/{contribution.pk}/confirm/")
    assert response.status_code == 404
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.PENDING


def test_the_review_queue_explains_flags_and_only_coordinators_see_it(setting):
    for n in range(5):
        report(setting, n, follower=[setting.follower, setting.other_follower][n % 2])
    held = Contribution.objects.get(status="review")
    coordinator = client_for(setting.coordinator)
    page = coordinator.get(f"/clusters/{setting.cluster.slug}/contributions/").content.decode()
    assert "5 contributions by this member within a day." in page
    for user in (setting.mentor, setting.follower, setting.officer):
        url = f"/clusters/{setting.cluster.slug}/contributions/"
        assert client_for(user).get(url).status_code == 404
    response = coordinator.post(
        f"/clusters/{setting.cluster.slug}/contributions/{held.pk}/reject/",
        {"reason": "Sesiones duplicadas"},
        follow=True,
    )
    assert "the member sees your reason" in response.content.decode()
    held.refresh_from_db()
    assert (held.status, held.reason) == ("rejected", "Sesiones duplicadas")


def test_an_officer_creates_a_programme_for_sponsored_clusters_only(setting):
    officer = client_for(setting.officer)
    page = officer.get("/agency/programmes/new/").content.decode()
    assert setting.cluster.name in page
    response = officer.post(
        "/agency/programmes/new/",
        {
            "name": "Piloto 2027",
            "clusters": [setting.cluster.pk],
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "unit": "points",
            "budget": "500",
        },
        follow=True,
    )
    assert "Programme created" in response.content.decode()
    assert LedgerEntry.objects.filter(programme__name="Piloto 2027", kind="funding").count() == 1
    bad = officer.post(
        "/agency/programmes/new/",
        {
            "name": "x",
            "clusters": [setting.cluster.pk],
            "starts_on": "2027-02-01",
            "ends_on": "2027-01-01",
            "unit": "points",
            "budget": "-5",
        },
    )
    assert "The programme must end after it starts." in bad.content.decode()
    assert not Contribution.objects.exists() and bad.status_code == 200


def test_officers_of_another_agency_get_404_on_pages_csv_charts_and_actions(setting, other):
    outsider = client_for(other.officer)
    programme = setting.programme
    contribution = report(setting, 1)
    for url in (
        f"/agency/programmes/{programme.pk}/",
        f"/agency/programmes/{programme.pk}/members.csv",
        f"/agency/programmes/{programme.pk}/months.svg",
    ):
        assert outsider.get(url).status_code == 404, url
    for url, data in (
        (
            f"/agency/programmes/{programme.pk}/rules/",
            {
                "kind": "session_held",
                "amount": "999",
                "confirmer": "counterpart",
                "min_attendees": 0,
            },
        ),
        (f"/agency/programmes/{programme.pk}/budget/", {"amount": "1"}),
        (f"/agency/contributions/{contribution.pk}/reverse/", {"reason": "x"}),
    ):
        assert outsider.post(url, data).status_code == 404, url
    assert programme.rules.get(kind="session_held").amount == Decimal("50")
    assert LedgerEntry.objects.filter(programme=programme).count() == 2
    # Members of the cluster are not officers either.
    assert (
        client_for(setting.coordinator).get(f"/agency/programmes/{programme.pk}/").status_code
        == 404
    )


def test_csv_export_round_trips_the_dashboard_figures(setting):
    report(setting, 1)
    report(setting, 2, follower=setting.other_follower)
    officer = client_for(setting.officer)
    page = officer.get(f"/agency/programmes/{setting.programme.pk}/").content.decode()
    assert "100.00 / 1,000.00 USD" in page
    rows = list(
        csv.reader(
            io.StringIO(
                officer.get(
                    f"/agency/programmes/{setting.programme.pk}/members.csv"
                ).content.decode()
            )
        )
    )
    assert rows == [["Member", "Contributions", "Credited"], ["Mateo Mentor", "2", "100.00"]]
    clusters = list(
        csv.reader(
            io.StringIO(
                officer.get(
                    f"/agency/programmes/{setting.programme.pk}/clusters.csv"
                ).content.decode()
            )
        )
    )
    assert clusters[1] == [setting.cluster.name, "2", "100.00"]
    for row in rows[1:] + clusters[1:]:
        assert f"<td>{row[0]}</td><td>{row[1]}</td><td>{row[2]}</td>" in page
    months = list(
        csv.reader(
            io.StringIO(
                officer.get(
                    f"/agency/programmes/{setting.programme.pk}/months.csv"
                ).content.decode()
            )
        )
    )
    assert months[1][1:] == ["100.00", "0.00"]


def test_charts_are_svg_from_the_app_with_no_script(setting):
    report(setting, 1)
    response = client_for(setting.officer).get(
        f"/agency/programmes/{setting.programme.pk}/months.svg"
    )
    svg = response.content.decode()
    assert response["Content-Type"].startswith("image/svg+xml") and svg.lstrip().startswith(
        "<?xml"
    )
    assert "<script" not in svg and "kozea.github.io" not in svg
    assert "Credits by month" in svg


def test_approve_a_finished_month_then_mark_payments(setting, monkeypatch, refetched):
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - datetime.timedelta(days=40))
    report(setting, 1)  # credited 40 days ago
    last_month = timezone.localdate().strftime("%Y-%m")
    monkeypatch.setattr(timezone, "now", real_now)
    officer = client_for(setting.officer)
    this_month = timezone.localdate().strftime("%Y-%m")
    url = f"/agency/programmes/{setting.programme.pk}"
    response = officer.post(f"{url}/approve/", {"month": this_month}, follow=True)
    assert "once it is over" in response.content.decode()
    response = officer.post(f"{url}/approve/", {"month": last_month}, follow=True)
    assert f"Credits of {last_month} approved." in response.content.decode()
    # Each member's line to pay: their name, linked to their statement, and the amount.
    year, number = map(int, last_month.split("-"))
    statement = reverse(
        "incentives:member_statement",
        args=[setting.programme.pk, setting.mentor.pk, year, number],
    )
    line = f'<a href="{statement}">{setting.mentor.profile.display_name}</a></td>'
    assert f'{line}<td class="text-end">50.00</td>' in response.content.decode()
    assert refetched == []
    pay = {"member": setting.mentor.pk, "month": last_month, "reference": "TRF-2026-0042"}
    response = officer.post(f"{url}/pay/", pay, follow=True)
    assert "Marked as paid." in response.content.decode()
    assert Payout.objects.get().amount == Decimal("50")
    assert selectors.member_balance(setting.programme, setting.mentor) == 0
    response = officer.post(f"{url}/pay/", pay, follow=True)
    assert "already paid" in response.content.decode()
    assert Payout.objects.count() == 1 and selectors.reconcile() == []
    statement = (
        client_for(setting.mentor)
        .get(
            f"/me/credits/{setting.programme.pk}/{timezone.localdate().year}-"
            f"{timezone.localdate().month}/"
        )
        .content.decode()
    )
    assert "Paid out" in statement and "TRF-2026-0042" in statement


def api(key):
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def test_the_api_needs_a_key_and_sees_only_the_agencys_programmes(setting, other):
    report(setting, 1)
    _token, key = ApiToken.issue(user=setting.officer, name="BI")
    _other_token, other_key = ApiToken.issue(user=other.officer, name="BI")
    assert Client().get("/api/agency/programmes").status_code == 401
    assert api("pio_wrong").get("/api/agency/programmes").status_code == 401
    mine = api(key).get("/api/agency/programmes").json()
    assert [p["id"] for p in mine] == [setting.programme.pk]
    assert Decimal(mine[0]["budget_used"]) == Decimal("50")
    base = f"/api/agency/programmes/{setting.programme.pk}"
    for path in ("", "/contributions", "/entries", "/balances", "/outcomes"):
        assert api(other_key).get(base + path).status_code == 404, path
        assert api(key).get(base + path).status_code == 200, path
    entries = api(key).get(base + "/entries?limit=1").json()
    assert [e["kind"] for e in entries] == ["funding"]
    following = api(key).get(f"{base}/entries?after={entries[0]['id']}").json()
    assert [e["kind"] for e in following] == ["credit"]
    ApiToken.objects.filter(user=setting.officer).update(revoked_at=timezone.now())
    assert api(key).get("/api/agency/programmes").status_code == 401


def test_the_openapi_schema_is_served(setting):
    schema = json.loads(Client().get("/api/agency/openapi.json").content)
    assert "/api/agency/programmes/{programme_id}/entries" in schema["paths"]
    assert schema["components"]["securitySchemes"]


def test_a_month_out_of_range_gets_a_clear_error_and_changes_nothing(setting):
    officer = client_for(setting.officer)
    url = f"/agency/programmes/{setting.programme.pk}"
    for month in ("0000-01", "9999-12"):
        assert officer.get(f"{url}/?month={month}").status_code == 200
        response = officer.post(f"{url}/approve/", {"month": month}, follow=True)
        assert "Give a month between 2000 and 2100." in response.content.decode()
        response = officer.post(
            f"{url}/pay/",
            {"member": setting.mentor.pk, "month": month, "reference": "x"},
            follow=True,
        )
        assert "Give a month between 2000 and 2100." in response.content.decode()
    assert not PeriodApproval.objects.exists() and not Payout.objects.exists()


def test_outsiders_get_404_whatever_they_post(setting, other):
    outsider = client_for(other.officer)
    base = f"/agency/programmes/{setting.programme.pk}"
    for path, data in (
        ("rules/", {"kind": "session_held", "amount": "-1"}),
        ("budget/", {"amount": "zero"}),
        ("approve/", {"month": "never"}),
        ("pay/", {"member": "x"}),
    ):
        assert outsider.post(f"{base}/{path}", data).status_code == 404, path


def test_the_dashboard_counts_only_sessions_held_and_confirmed(setting):
    report(setting, 1)
    report(setting, 2, confirmed=False)
    report(setting, 3, confirmed=False, follower=setting.other_follower)
    figures = dashboard.build(setting.programme).figures
    assert (figures["sessions"], figures["hours"]) == (1, Decimal("1.50"))


def csv_rows(client, url) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(url).content.decode())))


def test_the_figures_csv_round_trips_the_figures_on_the_page(setting):
    report(setting, 1)
    report(setting, 2, confirmed=False)
    officer = client_for(setting.officer)
    base = f"/agency/programmes/{setting.programme.pk}"
    page = officer.get(f"{base}/").content.decode()
    rows = dict(csv_rows(officer, f"{base}/summary.csv")[1:])
    assert rows == {
        "Active mentors": "0",
        "Active followers": "0",
        "Sessions held and confirmed": "1",
        "Hours of confirmed sessions": "1.50",
        "Accepted answers": "0",
        "Budget": "1000.00",
        "Budget used": "50.00",
        "Budget left": "950.00",
        "Waiting for a decision": "1",
    }
    # The page writes the same figures as the CSV, grouped for reading.
    with override("en"):
        assert f"{money(rows['Budget used'])} / {money(rows['Budget'])} USD" in page
        assert f"{money(rows['Budget left'])} left" in page
    assert f"{rows['Hours of confirmed sessions']} hours" in page
    assert "1 waiting for a decision" in page


def test_csv_cells_a_spreadsheet_would_run_are_kept_as_text(setting):
    profile = setting.mentor.profile
    profile.display_name = '=HYPERLINK("https://evil.example","x")'
    profile.save()
    report(setting, 1)
    rows = csv_rows(
        client_for(setting.officer), f"/agency/programmes/{setting.programme.pk}/members.csv"
    )
    assert rows[1] == ['\'=HYPERLINK("https://evil.example","x")', "1", "50.00"]


def test_the_credits_by_member_table_never_shows_an_email_address(setting):
    profile = setting.mentor.profile
    profile.display_name = ""
    profile.save()
    report(setting, 1)
    rows = csv_rows(
        client_for(setting.officer), f"/agency/programmes/{setting.programme.pk}/members.csv"
    )
    assert rows[1] == [f"#{setting.mentor.pk}", "1", "50.00"]


def test_the_review_queue_follows_the_rule_of_the_contributions_own_programme(setting):
    """Another programme leaves accepted answers to the asker: the coordinator has nothing
    to decide on them, although the first programme once gave them to coordinators."""
    services.set_rule(
        programme=setting.programme,
        by=setting.officer,
        kind="accepted_answer",
        amount=Decimal("10"),
        confirmer="coordinator",
        is_active=False,
    )
    today = datetime.date.today()
    newer = services.create_programme(
        by=setting.officer,
        name="Respuestas",
        clusters=[setting.cluster],
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=5),
        unit="points",
        budget=Decimal("100"),
    )
    services.set_rule(
        programme=newer,
        by=setting.officer,
        kind="accepted_answer",
        amount=Decimal("3"),
        confirmer="counterpart",
    )
    answer = services.record_contribution(
        kind="accepted_answer",
        actor=setting.mentor,
        counterpart=setting.follower,
        cluster=setting.cluster,
        source="forums.post:3",
    )
    assert answer.programme == newer and answer.status == Contribution.Status.PENDING
    page = client_for(setting.coordinator).get(f"/clusters/{setting.cluster.slug}/contributions/")
    assert page.context["queue"] == []
    assert "Nothing to review." in page.content.decode()


def test_the_api_pages_balances_by_account(setting):
    report(setting, 1)
    _token, key = ApiToken.issue(user=setting.officer, name="BI")
    base = f"/api/agency/programmes/{setting.programme.pk}/balances"
    first = api(key).get(f"{base}?limit=2").json()
    rest = api(key).get(f"{base}?after={first[-1]['account']}").json()
    assert len(first) == 2 and len(rest) == 1
    assert [b["kind"] for b in first + rest] == ["funding", "programme", "member"]


def test_the_api_explains_reasons_in_the_callers_language(db):
    setting = build(member_cap="70")
    report(setting, 1)
    capped = report(setting, 2, follower=setting.other_follower)
    _token, key = ApiToken.issue(user=setting.officer, name="BI")
    rows = api(key).get(f"/api/agency/programmes/{setting.programme.pk}/contributions").json()
    found = next(row for row in rows if row["id"] == capped.pk)
    assert found["reason_code"] == "capped"
    assert found["reason"] == "Credited 20.00 of 50.00: the monthly cap per member is reached."


def test_the_credits_page_costs_the_same_queries_with_more_programmes(
    setting, django_assert_num_queries
):
    member = client_for(setting.mentor)
    report(setting, 1)
    member.get("/me/credits/")
    with CaptureQueriesContext(connection) as one:
        assert member.get("/me/credits/").status_code == 200
    for n in range(2):
        programme = services.create_programme(
            by=setting.officer,
            name=f"Extra {n}",
            clusters=[setting.cluster],
            starts_on=datetime.date(2020, 1, 1),
            ends_on=datetime.date(2020, 12, 31),
            unit="points",
            budget=Decimal("10"),
        )
        ledger.post_entry(
            programme=programme,
            kind="credit",
            debit=ledger.account(programme, "programme"),
            credit=ledger.account(programme, "member", setting.mentor),
            amount=Decimal("1"),
            by=None,
        )
    with django_assert_num_queries(len(one.captured_queries)):
        page = member.get("/me/credits/").content.decode()
    assert "Extra 0" in page and "Extra 1" in page


def test_an_api_key_without_a_name_is_explained(setting):
    response = client_for(setting.officer).post("/agency/keys/", {"name": ""}, follow=True)
    assert "Say what the key is for" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_programme_page_shows_who_changed_the_rules(setting, refetched):
    page = client_for(setting.officer).get(f"/agency/programmes/{setting.programme.pk}/")
    assert "Changes to the rules" in page.content.decode()
    assert "Olga Officer: One-to-one session held, 50.00" in page.content.decode()
    assert refetched == []


def test_the_programme_page_lists_each_contribution_with_who_where_and_why(setting, refetched):
    credited = report(setting, 1)
    report(setting, 2, confirmed=False)
    services.reverse_credit(contribution=credited, by=setting.officer, reason="Sesión duplicada")
    page = client_for(setting.officer).get(f"/agency/programmes/{setting.programme.pk}/")
    html = page.content.decode()
    mentor = setting.mentor.profile.display_name
    assert html.count(f"<td>{mentor}</td><td>One-to-one session held<br>") == 2
    assert html.count(f'<span class="small text-secondary">{setting.cluster.name}</span>') >= 2
    assert "Sesión duplicada" in html and "Waiting for confirmation" in html
    assert refetched == []  # every line's columns come with the one query


def test_officers_audit_a_members_statement_and_nobody_else_does(setting, other):
    report(setting, 1)
    today = timezone.localdate()
    url = (
        f"/agency/programmes/{setting.programme.pk}/members/{setting.mentor.pk}/"
        f"{today.year}-{today.month}/"
    )
    page = client_for(setting.officer).get(url).content.decode()
    assert "Statement of Mateo Mentor" in page and "Sesión 1" in page
    assert f'href="/agency/programmes/{setting.programme.pk}/?month=' in page  # the way back
    for user in (other.officer, setting.mentor, setting.coordinator):
        assert client_for(user).get(url).status_code == 404
    # A member without an account in the programme is no one's business here.
    stranger = url.replace(f"/members/{setting.mentor.pk}/", f"/members/{other.mentor.pk}/")
    assert client_for(setting.officer).get(stranger).status_code == 404


def test_a_rejection_reason_too_long_is_explained_and_nothing_is_decided(setting):
    for n in range(5):
        report(setting, n, follower=[setting.follower, setting.other_follower][n % 2])
    held = Contribution.objects.get(status="review")
    response = client_for(setting.coordinator).post(
        f"/clusters/{setting.cluster.slug}/contributions/{held.pk}/reject/",
        {"reason": "x" * 301},
        follow=True,
    )
    assert "in at most 300 characters" in response.content.decode()
    held.refresh_from_db()
    assert held.status == "review"


def test_the_api_lists_programmes_in_the_same_queries_however_many(
    setting, django_assert_num_queries
):
    _token, key = ApiToken.issue(user=setting.officer, name="BI")
    client = api(key)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/agency/programmes").json()) == 1
    for n in range(2):
        services.create_programme(
            by=setting.officer,
            name=f"Extra {n}",
            clusters=[setting.cluster],
            starts_on=datetime.date(2020, 1, 1),
            ends_on=datetime.date(2020, 12, 31),
            unit="points",
            budget=Decimal("10"),
        )
    with django_assert_num_queries(len(one.captured_queries)):
        listed = client.get("/api/agency/programmes").json()
    assert [p["budget_left"] for p in listed] == ["1000.00", "10.00", "10.00"]
    assert all(p["clusters"] == [setting.cluster.name] for p in listed)
