"""The printable Impact report: the CSV's figures laid out for a board, its agency's only."""

import csv
import io
import re

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from evidence import computation, evaluations
from evidence.models import Evaluation
from tests.evidence.data import evaluated_world, new_batch
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(agency, officer, monkeypatch):
    monkeypatch.setattr(computation, "BOOTSTRAP_DRAWS", 49)
    return evaluated_world(agency, officer)


@pytest.fixture
def evaluated(client, officer, programme, django_capture_on_commit_callbacks):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evidence:evaluate", args=[programme.pk]))
    evaluation = Evaluation.objects.get(programme=programme)
    assert evaluation.status == Evaluation.Status.DONE
    return evaluation


def _report(client, programme) -> str:
    response = client.get(reverse("evidence:impact_report", args=[programme.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _csv(client, programme) -> list[dict]:
    response = client.get(reverse("evidence:impact_csv", args=[programme.pk]))
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _shown(value: str) -> str:
    return floatformat(float(value), 3)


def _part(page: str, start: str, end: str) -> str:
    begin = page.index(start)
    return page[begin : page.index(end, begin)]


def test_the_report_prints_the_figures_of_the_csv(client, programme, evaluated):
    page, rows = _report(client, programme), _csv(client, programme)
    overall = [row for row in rows if row["level"] == "overall"]
    estimated = {o for o, result in evaluated.results.items() if "error" not in result}
    assert {row["outcome"] for row in overall} == estimated and "exported" in estimated
    for row in overall:
        line = _part(page, f'<tr id="att-{row["outcome"]}">', "</tr>")
        figures = [row["mde"], row["pre_trend_p"]]
        if row["inconclusive"] == "True":
            assert "Inconclusive" in line
        else:
            figures += [row["estimate"], row["se"], row["ci_low"], row["ci_high"]]
        for figure in figures:
            assert _shown(figure) in line, (row["outcome"], figure)
        assert f"{row['n_treated']} / {row['n_comparison']}" in line
    for row in rows:
        section = _part(page, f'id="event-{row["outcome"]}"', "</section>")
        if row["level"] == "cohort":
            cohort = _part(section, f'<th scope="row">{row["label"]}</th>', "</tr>")
            assert _shown(row["estimate"]) in cohort and _shown(row["ci_high"]) in cohort
        if row["level"] == "event_time" and row["estimate"]:
            point = f"<title>{row['label']}: {float(row['estimate']):.3f} ["
            assert point in section, (row["outcome"], row["label"])


def test_the_report_says_what_the_estimate_rests_on(client, programme, evaluated, agency):
    page = _report(client, programme)
    assert "Exporta" in page and agency.name in page
    assert "Firms never supported" in page  # the comparison group
    assert "60 firms, 20 supported, customs years 2016\u20132022" in page
    assert "Data as of" in page and "Naive difference" in page and "Method" in page
    assert "overstates the effect" in page  # why the naive figure differs
    # Each chart drawn inline, each with a title of its own.
    estimated = [result for result in evaluated.results.values() if "error" not in result]
    assert page.count("<svg xmlns=") == len(estimated) and "<img" not in page
    titles = re.findall(r'<title id="([^"]+)"', page)
    assert len(titles) == len(set(titles)) == len(estimated)
    assert 'src="/static/pioneros/print.js"' in page and "data-print" in page


def test_an_undetectable_effect_prints_inconclusive_with_its_mde(client, programme, evaluated):
    result = evaluated.results["exported"]
    result["inconclusive"], result["mde"] = True, 0.987
    evaluated.save()
    line = _part(_report(client, programme), '<tr id="att-exported">', "</tr>")
    assert "Inconclusive" in line and "detect effects of 0.987 or more" in line
    assert f">{result['overall']['estimate']:.3f}</td>" not in line


def test_a_report_on_data_since_changed_says_so(client, agency, officer, programme, evaluated):
    assert "The data changed since this estimate" not in _report(client, programme)
    new_batch(agency, officer, "customs")  # another file imported after the estimate
    assert "The data changed since this estimate" in _report(client, programme)


def test_the_impact_page_links_to_the_report(client, programme, evaluated):
    page = client.get(reverse("evidence:impact", args=[programme.pk])).content.decode()
    report = reverse("evidence:impact_report", args=[programme.pk])
    assert f'href="{report}?comparison=never_treated"' in page


def test_without_an_estimate_the_report_sends_back_to_the_impact_page(client, officer, programme):
    client.force_login(officer)
    page = _report(client, programme)
    impact = reverse("evidence:impact", args=[programme.pk])
    assert "No estimate yet" in page and f'href="{impact}?comparison=never_treated"' in page
    assert "att-table" not in page and "<svg xmlns=" not in page
    evaluations.request_evaluation(programme=programme, by=officer)  # queued, not yet run
    assert "still being computed" in _report(client, programme)
    assert Evaluation.objects.get().status == Evaluation.Status.QUEUED  # reading runs nothing


def test_only_the_programmes_agency_officers_open_the_report(
    client, other_officer, programme, evaluated
):
    url = reverse("evidence:impact_report", args=[programme.pk])
    client.logout()
    assert client.get(url).url.startswith(reverse("account_login"))
    for person in (other_officer, UserFactory()):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_the_report_reads_a_bounded_number_of_queries(
    client, programme, evaluated, django_assert_max_num_queries
):
    # The session and viewer, the programme and agency, the evaluation (every outcome, chart
    # and cohort is in it), the data's version to say whether it changed, the header's bell.
    with django_assert_max_num_queries(11):
        _report(client, programme)
