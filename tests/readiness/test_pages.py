"""The diagnostic through its pages: taken page by page, resumed, refused odd answers, and
the result with what helps its weak dimensions."""

import pytest
from django.test import Client
from django.urls import reverse

from readiness.models import Assessment
from readiness.selectors import pages_of
from tests.factories import UserFactory, add_member
from tests.readiness.conftest import take

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_firm_takes_it_through_its_pages_and_reads_its_result(firm_person):
    client = _client(firm_person)
    response = client.post(reverse("readiness:start"))
    draft = Assessment.objects.get(status="draft")
    assert response.url == reverse("readiness:page", args=[draft.pk, 0])
    pages = pages_of(draft.questionnaire)
    for number, page in enumerate(pages):
        url = reverse("readiness:page", args=[draft.pk, number])
        assert f"{number + 1}" in client.get(url).content.decode()
        level = 0 if page.dimension == "logistics" else 3
        data = {f"q{q.pk}": str(list(q.choices.all())[level].pk) for q in page.questions}
        response = client.post(url, {**data, "next": ""})
    assert response.url == reverse("readiness:result", args=[draft.pk])
    page = client.get(response.url).content.decode()
    assert "Logistics and customs" in page and "Goals to adopt" in page


def test_save_and_finish_later_resumes_on_the_next_page(firm_person):
    client = _client(firm_person)
    client.post(reverse("readiness:start"))
    draft = Assessment.objects.get(status="draft")
    first = pages_of(draft.questionnaire)[0]
    data = {f"q{q.pk}": str(q.choices.all()[0].pk) for q in first.questions}
    client.post(reverse("readiness:page", args=[draft.pk, 0]), {**data, "later": ""})
    home = client.get(reverse("readiness:home")).content.decode()
    assert reverse("readiness:page", args=[draft.pk, 1]) in home


@pytest.mark.parametrize("value", ["x", "-1", "99999999999999999999", "1.5", "\x00"])
def test_an_odd_answer_is_refused_and_saves_nothing(firm_person, value):
    client = _client(firm_person)
    client.post(reverse("readiness:start"))
    draft = Assessment.objects.get(status="draft")
    question = pages_of(draft.questionnaire)[0].questions[0]
    response = client.post(
        reverse("readiness:page", args=[draft.pk, 0]), {f"q{question.pk}": value, "next": ""}
    )
    assert response.status_code == 200
    assert not draft.answers.exists()


def test_the_heatmap_shows_a_coordinator_five_firms_and_hides_four(cluster):
    coordinator = cluster.memberships.get(role="coordinator").user
    for _ in range(4):
        take(add_member(cluster, UserFactory(organization=_firm())), level=0)
    url = reverse("readiness:cluster_heatmap", args=[cluster.slug])
    client = _client(coordinator)
    assert "Fewer than 5 firms have taken" in client.get(url).content.decode()
    take(add_member(cluster, UserFactory(organization=_firm())), level=0)
    page = client.get(url).content.decode()
    assert "5 firms took it." in page


def _firm():
    from tests.factories import OrganizationFactory

    return OrganizationFactory()


MOST_QUERIES = 25  # as tests/test_page_queries.py holds every role's pages


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_diagnostics_pages_keep_to_25_queries(cluster, firm_person):
    import datetime
    from decimal import Decimal

    from incentives import services as incentives
    from mentoring.models import Pairing
    from mentoring.services import offers
    from tests.factories import AgencyFactory, OfficerFactory, OrganizationFactory

    mentor = add_member(cluster, UserFactory(name="Mateo"), role="mentor")
    offer = offers.save_offer(user=mentor, cluster=cluster, capacity=2, strengths=["logistics"])
    Pairing.objects.create(
        cluster=cluster, offer=offer, mentor=mentor, follower=firm_person, status="active"
    )
    for _ in range(6):
        person = add_member(cluster, UserFactory(organization=OrganizationFactory()))
        take(person, level=1)
        take(person, level=2)
    take(firm_person, level=1)
    result = take(firm_person, level=2, levels={"logistics": 0})
    client = _client(firm_person)
    counts = {
        "home": _queries(client, reverse("readiness:home")),
        "result": _queries(client, reverse("readiness:result", args=[result.pk])),
        "my network": _queries(client, reverse("home")),
    }
    client.post(reverse("readiness:start"))
    draft = Assessment.objects.get(status="draft")
    counts["page"] = _queries(client, reverse("readiness:page", args=[draft.pk, 0]))
    coordinator = cluster.memberships.get(role="coordinator").user
    counts["heatmap"] = _queries(
        _client(coordinator), reverse("readiness:cluster_heatmap", args=[cluster.slug])
    )
    agency = AgencyFactory()
    officer = OfficerFactory(organization=agency)
    from tests.factories import sponsor_directly

    sponsor_directly(cluster, agency)
    today = datetime.date.today()
    programme = incentives.create_programme(
        by=officer,
        name="Programa",
        clusters=[cluster],
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        unit="USD",
        budget=Decimal("1000"),
        cap_per_member_month=None,
        cap_per_pair_month=None,
    )
    counts["programme"] = _queries(
        _client(officer), reverse("readiness:programme_change", args=[programme.pk])
    )
    print(counts)
    assert max(counts.values()) <= MOST_QUERIES, counts


def test_the_mentor_finds_the_shared_diagnostic_on_the_pairing_page(cluster, firm_person):
    from mentoring.models import Pairing
    from mentoring.services import offers
    from readiness.services import assessments

    mentor = add_member(cluster, UserFactory(name="Mateo"), role="mentor")
    offer = offers.save_offer(user=mentor, cluster=cluster, capacity=2)
    pairing = Pairing.objects.create(
        cluster=cluster, offer=offer, mentor=mentor, follower=firm_person, status="active"
    )
    result = take(firm_person)
    client = _client(mentor)
    link = reverse("readiness:result", args=[result.pk])
    assert link not in client.get(pairing.get_absolute_url()).content.decode()
    assert client.get(link).status_code == 404
    assessments.set_sharing(assessment=result, by=firm_person, shared=True)
    assert link in client.get(pairing.get_absolute_url()).content.decode()
    assert client.get(link).status_code == 200
