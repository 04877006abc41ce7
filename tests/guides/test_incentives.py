"""Publishing a reviewed guide and each reader's useful mark are reported to incentives."""

import datetime
from decimal import Decimal

import pytest

from core.errors import DomainError
from guides import services
from incentives import services as incentive_services
from incentives.models import Contribution
from tests.factories import OfficerFactory, sponsor_directly
from tests.guides.conftest import draft, published, revise

pytestmark = pytest.mark.django_db
Status = Contribution.Status


@pytest.fixture
def funded(library):
    officer = OfficerFactory()
    sponsor_directly(library.cluster, officer.profile.organization)
    today = datetime.date.today()
    programme = incentive_services.create_programme(
        by=officer,
        name="Guías 2026",
        clusters=[library.cluster],
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=300),
        unit="USD",
        budget=Decimal("1000"),
        cap_per_member_month=None,
        cap_per_pair_month=None,
    )
    for kind, amount, confirmer in [
        ("guide_published", "100", "coordinator"),
        ("guide_useful", "5", "counterpart"),
    ]:
        incentive_services.set_rule(
            programme=programme,
            by=officer,
            kind=kind,
            amount=Decimal(amount),
            confirmer=confirmer,
            min_attendees=0,
        )
    return library


def test_publishing_credits_each_author_once_confirmed_by_the_coordinator(funded):
    guide = draft(funded)
    services.add_author(guide=guide, author=funded.other_mentor, by=funded.mentor)
    services.submit_for_review(guide=guide, by=funded.mentor)
    services.publish(guide=guide, by=funded.coordinator)
    revise(funded, guide, note="Second edition")  # a new version earns nothing more

    contributions = Contribution.objects.filter(kind="guide_published")
    assert sorted(c.actor.pk for c in contributions) == sorted(
        [funded.mentor.pk, funded.other_mentor.pk]
    )
    for contribution in contributions:
        assert contribution.confirmed_by == funded.coordinator
        assert contribution.status == Status.CREDITED and contribution.amount == Decimal("100")
        assert contribution.url == guide.get_absolute_url()


def test_each_new_useful_mark_is_reported_once_per_reader(funded):
    guide = published(funded)
    assert services.mark_useful(guide=guide, by=funded.follower) is True
    assert services.mark_useful(guide=guide, by=funded.follower) is False
    assert services.mark_useful(guide=guide, by=funded.coordinator) is True
    guide.refresh_from_db()
    assert guide.useful_count == 2

    contributions = Contribution.objects.filter(kind="guide_useful")
    assert sorted(c.counterpart.pk for c in contributions) == sorted(
        [funded.follower.pk, funded.coordinator.pk]
    )
    assert all(c.actor == funded.mentor and c.status == Status.CREDITED for c in contributions)


def test_authors_cannot_mark_their_own_guide(funded):
    guide = published(funded)
    with pytest.raises(DomainError):
        services.mark_useful(guide=guide, by=funded.mentor)
    assert not Contribution.objects.filter(kind="guide_useful").exists()


def test_a_refused_publication_reports_nothing(funded):
    guide = draft(funded)
    with pytest.raises(DomainError):
        services.publish(guide=guide, by=funded.coordinator)  # never reviewed
    assert not Contribution.objects.exists()
