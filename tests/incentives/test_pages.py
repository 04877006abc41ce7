"""Members, coordinators and agency officers at work on the incentive pages and the API."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from incentives import ledger, services
from incentives.models import ApiToken, Contribution, LedgerEntry, Payout
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
    assert "100.00 / 1000.00 USD" in page
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


def test_approve_a_finished_month_then_mark_payments(setting, monkeypatch):
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
    pay = {"member": setting.mentor.pk, "month": last_month, "reference": "TRF-2026-0042"}
    response = officer.post(f"{url}/pay/", pay, follow=True)
    assert "Marked as paid." in response.content.decode()
    assert Payout.objects.get().amount == Decimal("50")
    assert ledger.account(setting.programme, "member", setting.mentor).balance == 0
    response = officer.post(f"{url}/pay/", pay, follow=True)
    assert "already paid" in response.content.decode()
    assert Payout.objects.count() == 1 and ledger.reconcile() == []
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
