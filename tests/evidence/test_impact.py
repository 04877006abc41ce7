"""The Impact page of a programme: computed in the worker, shown with its uncertainty."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from evidence import computation
from evidence.models import Evaluation
from tests.evidence.data import evaluated_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(agency, officer, monkeypatch):
    monkeypatch.setattr(computation, "BOOTSTRAP_DRAWS", 49)
    return evaluated_world(agency, officer)


def _compute(client, programme, capture, comparison="never_treated"):
    with capture(execute=True):
        response = client.post(
            reverse("evidence:evaluate", args=[programme.pk]), {"comparison": comparison}
        )
    assert response.status_code == 302
    return Evaluation.objects.get(programme=programme, comparison=comparison)


def test_the_page_asks_first_and_computes_nothing_itself(client, officer, programme):
    client.force_login(officer)
    page = client.get(reverse("evidence:impact", args=[programme.pk])).content.decode()
    assert "Compute the estimates" in page and "No estimate yet." in page
    assert not Evaluation.objects.exists()


def test_officer_reads_effects_with_intervals_beside_the_naive_figure(
    client, officer, programme, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    evaluation = _compute(client, programme, django_capture_on_commit_callbacks)
    assert evaluation.status == Evaluation.Status.DONE
    page = client.get(reverse("evidence:impact", args=[programme.pk])).content.decode()
    exported = evaluation.results["exported"]
    assert "Naive difference" in page and "95% interval" in page
    shown = (
        "Inconclusive" if exported["inconclusive"] else f"{exported['overall']['estimate']:.3f}"
    )
    assert shown in page
    assert "data as of" in page and "60 firms, 20 supported" in page
    assert "Compute the estimates" not in page  # the data has not changed since


def test_an_estimate_the_sample_cannot_detect_says_inconclusive_not_a_number(
    client, officer, programme, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    evaluation = _compute(client, programme, django_capture_on_commit_callbacks)
    result = evaluation.results["exported"]
    result["inconclusive"], result["mde"] = True, 0.987
    evaluation.save()
    page = client.get(reverse("evidence:impact", args=[programme.pk])).content.decode()
    row = page[page.index("Exports at all") : page.index("Export value")]
    assert "Inconclusive" in row and "0.987" in row
    assert f"{result['overall']['estimate']:.3f}</td>" not in row


def test_cohorts_of_fewer_than_five_firms_are_not_shown(
    client, officer, programme, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    evaluation = _compute(client, programme, django_capture_on_commit_callbacks)
    result = evaluation.results["exported"]
    result["cohorts"] = [
        {**result["cohorts"][0], "label": 2019, "n": 20},
        {**result["cohorts"][0], "label": 2017, "n": 4},
    ]
    evaluation.save()
    page = client.get(reverse("evidence:impact", args=[programme.pk])).content.decode()
    assert '<th scope="row">2019</th>' in page and '<th scope="row">2017</th>' not in page
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("evidence:impact_csv", args=[programme.pk])).content.decode()
            )
        )
    )
    assert {row["label"] for row in rows if row["level"] == "cohort"} <= {"2019"}


def test_csv_and_chart_carry_the_same_estimates(
    client, officer, programme, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    evaluation = _compute(client, programme, django_capture_on_commit_callbacks)
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("evidence:impact_csv", args=[programme.pk])).content.decode()
            )
        )
    )
    overall = next(r for r in rows if r["outcome"] == "exported" and r["level"] == "overall")
    assert float(overall["estimate"]) == pytest.approx(
        evaluation.results["exported"]["overall"]["estimate"]
    )
    assert overall["comparison_group"] == "never_treated"
    chart = client.get(reverse("evidence:impact_chart", args=[programme.pk, "exported"]))
    assert chart["Content-Type"].startswith("image/svg+xml")
    svg = chart.content.decode()
    assert "<polygon" in svg and "<polyline" in svg and "<script" not in svg


def test_the_comparison_group_is_the_officers_choice(
    client, officer, programme, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    evaluation = _compute(client, programme, django_capture_on_commit_callbacks, "not_yet_treated")
    assert evaluation.comparison == "not_yet_treated" and evaluation.status == "done"


def test_evaluate_command_prints_the_estimates_as_json(officer, programme):
    out = io.StringIO()
    call_command("evaluate", "--programme", str(programme.pk), "--json", stdout=out)
    printed = json.loads(out.getvalue())
    exported = printed["outcomes"]["exported"]
    assert printed["comparison_group"] == "never_treated"
    assert isinstance(exported["overall"]["estimate"], float)
    assert isinstance(exported["overall"]["ci_low"], float)
    assert exported["n_treated"] == 20


def test_another_agency_gets_404(client, other_officer, programme):
    client.force_login(other_officer)
    for name, args in [
        ("evidence:impact", [programme.pk]),
        ("evidence:impact_csv", [programme.pk]),
        ("evidence:impact_chart", [programme.pk, "exported"]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(reverse("evidence:evaluate", args=[programme.pk])).status_code == 404
    assert not Evaluation.objects.exists()


def test_agency_api_gives_typed_numbers(
    client, officer, other_officer, programme, django_capture_on_commit_callbacks
):
    from incentives import services as incentive_services

    client.force_login(officer)
    evaluation = _compute(client, programme, django_capture_on_commit_callbacks)
    client.logout()
    _token, key = incentive_services.issue_api_key(by=officer, name="Informes")
    url = reverse("agency_api:programme_impact", args=[programme.pk])
    answer = client.get(url, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    by_outcome = {row["outcome"]: row for row in answer.json()}
    exported, stored = by_outcome["exported"], evaluation.results["exported"]
    assert exported["n_treated"] == 20 and exported["comparison_group"] == "never_treated"
    assert isinstance(exported["mde"], float) and isinstance(exported["inconclusive"], bool)
    if not stored["inconclusive"]:
        assert exported["estimate"] == pytest.approx(stored["overall"]["estimate"])
    _other, other_key = incentive_services.issue_api_key(by=other_officer, name="Otra")
    assert client.get(url, headers={"Authorization": f"Bearer {other_key}"}).status_code == 404
    schema = client.get(reverse("agency_api:openapi-json")).json()
    fields = schema["components"]["schemas"]["ImpactOut"]["properties"]
    assert fields["n_treated"]["type"] == "integer"
    assert {"type": "number"} in fields["estimate"]["anyOf"]
