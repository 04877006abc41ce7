"""What the diagnostic lets others learn: no firm's band or score worked out from the
aggregates, sharing as the firm's choice across its submissions, one open draft per
questionnaire, and reminders that do not pile up."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from readiness import selectors
from readiness.models import Assessment, Questionnaire
from readiness.selectors import default_questionnaire
from readiness.services import assessments, questionnaires, reminders
from tests.concurrency import race
from tests.factories import ClusterFactory, OrganizationFactory, UserFactory, add_member
from tests.readiness.conftest import shipped, take

pytestmark = pytest.mark.django_db


def _firms(cluster, count, **levels) -> list:
    people = [
        add_member(cluster, UserFactory(organization=OrganizationFactory())) for _ in range(count)
    ]
    for person in people:
        take(person, **levels)
    return people


def _counts(heatmap, code="logistics") -> list:
    row = next(row for row in heatmap.rows if row["code"] == code)
    return [cell["count"] for cell in row["cells"]]


def test_no_hidden_cell_of_the_heatmap_can_be_worked_out_by_subtraction(cluster):
    _firms(cluster, 5, level=3)
    _firms(cluster, 5, level=2)
    _firms(cluster, 1, level=0)  # the lone weak firm
    heatmap = selectors.heatmap(cluster)
    assert heatmap.firms == 11
    for row in heatmap.rows:
        shown = [count for count in _counts(heatmap, row["code"]) if count is not None]
        hidden = heatmap.firms - sum(shown)
        assert hidden == 0 or hidden >= selectors.MIN_FIRMS, row
    assert _counts(heatmap).count(None) == 2  # a band of five hidden beside the lone firm


def test_a_band_holding_every_firm_is_not_shown(cluster):
    _firms(cluster, 6, level=0)
    heatmap = selectors.heatmap(cluster)
    assert heatmap.firms == 6
    assert _counts(heatmap) == [None, None, None]


def test_the_heatmap_shows_bands_of_five_and_more_when_nothing_can_be_derived(cluster):
    _firms(cluster, 5, level=0)
    _firms(cluster, 6, level=3)
    assert _counts(selectors.heatmap(cluster)) == [5, None, 6]


def test_the_heatmap_page_explains_why_more_cells_are_hidden(cluster, client):
    _firms(cluster, 6, level=0)
    client.force_login(cluster.memberships.get(role="coordinator").user)
    page = client.get(
        reverse("readiness:cluster_heatmap", args=[cluster.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "A band holding every firm is hidden too" in page
    assert "not shown" in page


def test_two_programmes_differing_by_one_cluster_never_isolate_its_lone_firm(db):
    a = ClusterFactory(coordinator=UserFactory(), name="A")
    b = ClusterFactory(coordinator=UserFactory(), name="B")
    for person in _firms(a, 5, level=1):
        take(person, level=1)
    lone = add_member(b, UserFactory(organization=OrganizationFactory()))
    take(lone, level=0)
    take(lone, level=3)
    both = selectors.programme_change([a.pk, b.pk])
    only_a = selectors.programme_change([a.pk])
    assert both.firms == only_a.firms == 5
    assert both.rows == only_a.rows  # nothing left to subtract
    assert both.left_out == [b.pk]


def test_clusters_sharing_their_firms_are_counted_only_with_five_of_their_own(db):
    a = ClusterFactory(coordinator=UserFactory(), name="A")
    b = ClusterFactory(coordinator=UserFactory(), name="B")
    people = _firms(a, 5, level=1)
    for person in people:
        take(person, level=1)
    for person in people[:4]:
        add_member(b, person)  # B: four of A's firms and one of its own
    lone = add_member(b, UserFactory(organization=OrganizationFactory()))
    take(lone, level=0)
    take(lone, level=3)
    change = selectors.programme_change([a.pk, b.pk])
    # Counting B beside A would add B's lone firm alone: neither has five firms of its own.
    assert change.left_out == [a.pk, b.pk] and change.firms is None
    assert selectors.programme_change([a.pk]).firms == 5


def _programme(clusters):
    from decimal import Decimal

    from incentives import services as incentives
    from tests.factories import AgencyFactory, OfficerFactory, sponsor_directly

    agency = AgencyFactory()
    officer = OfficerFactory(organization=agency)
    for cluster in clusters:
        sponsor_directly(cluster, agency)
    today = datetime.date.today()
    programme = incentives.create_programme(
        by=officer,
        name="Programa",
        clusters=clusters,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        unit="USD",
        budget=Decimal("1000"),
    )
    return programme, officer


def test_the_programme_page_names_the_clusters_left_out_and_why(client):
    a = ClusterFactory(coordinator=UserFactory(), name="Café del Huila")
    b = ClusterFactory(coordinator=UserFactory(), name="Cacao de Tumaco")
    for person in _firms(a, 5, level=1):
        take(person, level=2)
    programme, officer = _programme([a, b])
    client.force_login(officer)
    page = client.get(
        reverse("readiness:programme_change", args=[programme.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "5 firms took it twice or more." in page
    left_out = page.split('id="readiness-left-out"')[1].split("</p>")[0]
    assert "Cacao de Tumaco" in left_out and "Café del Huila" not in left_out
    assert "belong to no other cluster of the programme" in left_out


def test_only_the_sponsoring_agency_is_shown_the_readiness_link(db):
    from readiness import slots
    from tests.factories import AgencyFactory, OfficerFactory, sponsor_directly

    cluster = ClusterFactory(coordinator=UserFactory(), name="Café del Huila")
    programme, officer = _programme([cluster])
    co_sponsor = OfficerFactory(organization=AgencyFactory(name="Crédito Exportador"))
    sponsor_directly(cluster, co_sponsor.profile.organization)
    assert slots.on_programme(viewer=officer, programme=programme)
    assert slots.on_programme(viewer=co_sponsor, programme=programme) is None


def test_a_mentor_cannot_read_an_older_submission_once_the_firm_stops_sharing(
    cluster, firm_person
):
    from unittest import mock

    from readiness import access

    mentor = add_member(cluster, UserFactory(name="Mateo"), role="mentor")
    old = take(firm_person, level=1)
    assessments.set_sharing(assessment=old, by=firm_person, shared=True)
    new = take(firm_person, level=2)
    with mock.patch.object(access, "mentors_firm", return_value=True):
        assert new.shared_with_mentors  # the new one follows the firm's choice
        assert selectors.readable_assessment(mentor, new.pk) == (new, False)
        assessments.set_sharing(assessment=new, by=firm_person, shared=False)
        for assessment in (old, new):
            with pytest.raises(Http404):
                selectors.readable_assessment(mentor, assessment.pk)
        assessments.set_sharing(assessment=old, by=firm_person, shared=True)
        assert selectors.readable_assessment(mentor, new.pk) == (new, False)
        assert selectors.readable_assessment(mentor, old.pk) == (old, False)


def test_a_firm_that_never_shared_keeps_new_submissions_unshared(firm_person):
    take(firm_person)
    assert not take(firm_person).shared_with_mentors


def test_a_year_old_submission_without_its_six_month_reminder_gets_one_email(firm_person, commit):
    result = take(firm_person)
    with commit():
        assert reminders.send_due_reminders(now=timezone.now() + datetime.timedelta(days=400))
        assert not reminders.send_due_reminders(now=timezone.now() + datetime.timedelta(days=401))
    assert len(mail.outbox) == 1
    assert "12" in mail.outbox[0].body
    result.refresh_from_db()
    assert result.reminded_6_at and result.reminded_12_at


on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrency runs in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_clicks_on_start_a_new_version_open_one_draft():
    shipped()
    cluster = ClusterFactory(coordinator=UserFactory(name="Carla"), name="X")
    coordinator = cluster.memberships.get(role="coordinator").user
    copy = questionnaires.copy_questionnaire(
        source=default_questionnaire(), by=coordinator, cluster=cluster
    )
    questionnaires.publish(questionnaire=copy, by=coordinator)
    errors = race(4, lambda: questionnaires.start_new_version(questionnaire=copy, by=coordinator))
    drafts = Questionnaire.objects.filter(family=copy.family, published_at__isnull=True)
    assert drafts.count() == 1
    assert all(isinstance(error, DomainError) for error in errors)


def test_the_database_refuses_a_second_open_draft_of_a_questionnaire(cluster, default):
    from django.db import IntegrityError, transaction

    coordinator = cluster.memberships.get(role="coordinator").user
    copy = questionnaires.copy_questionnaire(source=default, by=coordinator, cluster=cluster)
    with pytest.raises(IntegrityError), transaction.atomic():
        Questionnaire.objects.create(family=copy.family, version=2, cluster=cluster)


def test_sharing_is_unchanged_for_a_firm_without_submissions(firm_person):
    draft = assessments.start_assessment(user=firm_person)
    assessments.set_sharing(assessment=draft, by=firm_person, shared=True)
    assert Assessment.objects.get(pk=draft.pk).shared_with_mentors
