"""The naive comparison of mentored and other followers' firms: on the programme page, in its
CSV and chart, and in the agency API as numbers."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from incentives.models import ApiToken
from mentoring.models import ExportRecord
from mentoring.services import offers, pairings
from tests.incentives.conftest import build
from tests.incentives.test_pages import client_for

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def compared(db):
    """The follower is mentored and exported two years ago and last year; the other follower's
    firm has not exported."""
    setting = build()
    offer = offers.save_offer(
        user=setting.mentor, cluster=setting.cluster, capacity=2, accepts_competitors=True
    )
    request = pairings.request_mentor(follower=setting.follower, offer=offer)
    pairings.accept_pairing(pairing=request, by=setting.mentor)
    firm = setting.follower.profile.organization
    for year in (THIS_YEAR - 2, THIS_YEAR - 1):
        ExportRecord.objects.create(
            organization=firm, year=year, hs_code="0901", country="US", value_band="lt10k"
        )
    return setting


def test_the_programme_page_shows_the_comparison_with_its_csv_and_chart(compared):
    officer = client_for(compared.officer)
    base = f"/agency/programmes/{compared.programme.pk}"
    page = officer.get(f"{base}/").content.decode()
    mentored = ["Mentored", "1", "1", "100%", "100%", "0%", "—", "1"]
    assert "".join(f"<td>{cell}</td>" for cell in mentored) in page
    assert f"{base}/outcomes.svg" in page
    rows = list(csv.reader(io.StringIO(officer.get(f"{base}/outcomes.csv").content.decode())))
    assert rows[1] == mentored
    assert rows[2] == ["Not mentored", "1", "0", "0%", "—", "—", "—", "0"]
    figures = dict(
        list(csv.reader(io.StringIO(officer.get(f"{base}/summary.csv").content.decode())))[1:]
    )
    assert (figures["Active mentors"], figures["Active followers"]) == ("1", "1")
    svg = officer.get(f"{base}/outcomes.svg")
    assert svg.status_code == 200 and "<script" not in svg.content.decode()


def test_the_api_gives_shares_as_numbers_from_0_to_1(compared):
    _token, key = ApiToken.issue(user=compared.officer, name="BI")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    answer = client.get(f"/api/agency/programmes/{compared.programme.pk}/outcomes").json()
    mentored, others = answer
    assert mentored["group"] == "mentored" and mentored["firms"] == "Mentored"
    assert (mentored["count"], mentored["entered"], mentored["entered_rate"]) == (1, 1, 1.0)
    assert mentored["survival"] == [
        {"years": 1, "survived": 1, "eligible": 1, "rate": 1.0},
        {"years": 2, "survived": 0, "eligible": 1, "rate": 0.0},
        {"years": 3, "survived": 0, "eligible": 0, "rate": None},
    ]
    assert mentored["product_market_pairs"] == 1
    assert others["group"] == "not_mentored" and others["entered_rate"] == 0.0
    schema = client.get("/api/agency/openapi.json").json()
    outcome = schema["components"]["schemas"]["OutcomeOut"]["properties"]
    assert "number" in str(outcome["entered_rate"])
