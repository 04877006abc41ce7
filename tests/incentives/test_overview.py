"""An officer sees every programme and cluster of the agency side by side, for chosen dates."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from incentives import services
from incentives.models import Contribution
from tests.factories import AgencyFactory, OfficerFactory, make_cluster
from tests.incentives.conftest import build

pytestmark = pytest.mark.django_db


def days_back(days: int) -> dict:
    today = timezone.localdate()
    return {"start": (today - datetime.timedelta(days=days)).isoformat(), "end": today.isoformat()}


def credited(setting, n):
    return services.record_contribution(
        kind="session_held",
        actor=setting.mentor,
        counterpart=setting.follower,
        cluster=setting.cluster,
        source=f"mentoring.session:{n}",
        confirmed_by=setting.follower,
    )


@pytest.fixture
def setting():
    setting = build()
    credited(setting, 1)
    credited(setting, 2)
    # Long ago: outside the period unless the officer asks for it.
    Contribution.objects.filter(source="mentoring.session:2").update(
        occurred_at=timezone.now() - datetime.timedelta(days=380)
    )
    return setting


def test_programmes_and_clusters_side_by_side_for_the_chosen_dates(client, setting):
    client.force_login(setting.officer)
    url = reverse("incentives:agency_overview")
    today = timezone.localdate()
    page = client.get(
        url, {"start": (today - datetime.timedelta(days=7)).isoformat(), "end": today.isoformat()}
    )
    assert page.status_code == 200
    overview = page.context["overview"]
    [row] = overview.programmes
    assert (row.programme, row.contributions, row.credited, row.members) == (
        setting.programme,
        1,
        Decimal("50.00"),
        1,
    )
    [cluster_row] = overview.clusters
    assert cluster_row.cluster == setting.cluster
    assert cluster_row.cells == [(1, Decimal("50.00"))]
    wide = client.get(
        url,
        {"start": (today - datetime.timedelta(days=399)).isoformat(), "end": today.isoformat()},
    )
    assert wide.context["overview"].programmes[0].contributions == 2
    html = wide.content.decode()
    assert setting.programme.name in html and setting.cluster.name in html


def test_another_agencys_programmes_and_clusters_never_show(client, setting):
    other_agency = AgencyFactory(name="Agencia Otra")
    other_officer = OfficerFactory(organization=other_agency)
    make_cluster(name="Clúster ajeno", sponsor=other_agency)
    client.force_login(other_officer)
    page = client.get(reverse("incentives:agency_overview"))
    assert page.status_code == 200
    html = page.content.decode()
    assert setting.programme.name not in html and setting.cluster.name not in html
    assert "No programme yet" in html


def test_wrong_dates_are_explained_and_this_year_shown(client, setting):
    client.force_login(setting.officer)
    page = client.get(
        reverse("incentives:agency_overview"), {"start": "2025-05-01", "end": "2024-01-01"}
    )
    assert page.status_code == 200
    assert "The first date must come before the second." in page.content.decode()
    assert page.context["overview"].period.start == timezone.localdate().replace(month=1, day=1)


def test_members_of_a_cluster_are_not_officers(client, setting):
    client.force_login(setting.coordinator)
    assert client.get(reverse("incentives:agency_overview")).status_code == 404
