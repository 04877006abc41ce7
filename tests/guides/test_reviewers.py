"""Every guide finds a reviewer other than its authors, and publishing is that review."""

import pytest
from django.urls import reverse

from core.errors import NotAllowed
from guides import services
from guides.models import Guide, ReviewComment
from incentives.models import Contribution
from network import selectors
from network.models import User
from tests.factories import AgencyFactory, UserFactory
from tests.guides.conftest import draft, published
from tests.guides.test_incentives import funded  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
Status = Contribution.Status


def _officer(library) -> User:
    return User.objects.get(profile__organization=selectors.sponsor_of(library.cluster))


def test_a_guide_published_amid_a_burst_is_credited_not_held_for_the_same_review(funded):  # noqa: F811
    # Five guides in a day: the fifth would trip the burst check, but its reviewer has just
    # read it; nobody is asked to review it a second time.
    guides = [published(funded, title=f"Guide {n}") for n in range(5)]
    credits = Contribution.objects.filter(kind="guide_published", actor=funded.mentor)
    assert credits.count() == len(guides)
    assert set(credits.values_list("status", flat=True)) == {Status.CREDITED}
    assert not credits.exclude(flags=[]).exists()


def test_a_sole_coordinators_guide_is_reviewed_by_the_sponsoring_agency(client, funded):  # noqa: F811
    officer = _officer(funded)
    guide = draft(funded, author=funded.coordinator)
    services.submit_for_review(guide=guide, by=funded.coordinator)
    with pytest.raises(NotAllowed):
        services.publish(guide=guide, by=funded.coordinator)

    client.force_login(officer)
    desk = client.get(reverse("guides:desk")).content.decode()
    assert guide.get_absolute_url() in desk
    page = client.get(reverse("guides:draft", args=[guide.pk])).content.decode()
    assert reverse("guides:action", args=[guide.pk, "publish"]) in page

    services.publish(guide=guide, by=officer)
    guide.refresh_from_db()
    assert guide.status == Guide.Status.PUBLISHED
    step = guide.comments.get(action=ReviewComment.Action.PUBLISHED)
    assert step.author == officer and "no other coordinator" not in step.text
    credit = Contribution.objects.get(kind="guide_published", actor=funded.coordinator)
    assert (credit.status, credit.confirmed_by) == (Status.CREDITED, officer)


def test_the_agency_may_return_it_but_another_agency_may_not(funded):  # noqa: F811
    guide = draft(funded, author=funded.coordinator)
    services.submit_for_review(guide=guide, by=funded.coordinator)
    stranger = UserFactory()
    stranger.profile.organization = AgencyFactory()
    stranger.profile.save()
    for person in (stranger, funded.mentor):
        with pytest.raises(NotAllowed):
            services.publish(guide=guide, by=person)
    services.return_to_authors(guide=guide, by=_officer(funded), note="Add the costs")
    guide.refresh_from_db()
    assert guide.status == Guide.Status.DRAFT


def test_the_agency_does_not_review_where_another_coordinator_can(funded):  # noqa: F811
    guide = draft(funded)  # the mentor's: the coordinator reviews it
    services.submit_for_review(guide=guide, by=funded.mentor)
    with pytest.raises(NotAllowed):
        services.publish(guide=guide, by=_officer(funded))
