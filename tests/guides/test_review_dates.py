"""The "check again by" date: a warning past it, and one request to confirm or update."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from core.errors import DomainError
from guides import services
from guides.models import Guide
from tests.factories import PASSWORD
from tests.guides.conftest import published

pytestmark = pytest.mark.django_db


def _past_due(guide, days=1):
    Guide.objects.filter(pk=guide.pk).update(
        check_by=timezone.localdate() - datetime.timedelta(days=days)
    )


def test_the_date_must_be_in_the_future_and_defaults_to_a_year(library):
    guide = published(library)
    assert guide.check_by == timezone.localdate() + services.CHECK_AFTER
    with pytest.raises(DomainError):
        services.confirm_current(guide=guide, by=library.mentor, check_by=timezone.localdate())


def test_readers_are_warned_once_the_date_has_passed(client, library):
    guide = published(library)
    assert client.login(email=library.follower.email, password=PASSWORD)
    assert "guide-overdue" not in client.get(guide.get_absolute_url()).content.decode()
    _past_due(guide)
    page = client.get(guide.get_absolute_url()).content.decode()
    assert "guide-overdue" in page and "rules may have changed" in page


def test_authors_and_coordinators_are_asked_once_per_date(library, commit):
    guide = published(library)
    services.add_author(guide=guide, author=library.other_mentor, by=library.mentor)
    _past_due(guide)
    mail.outbox.clear()
    with commit():
        assert services.send_due_reminders() == 1
    asked = sorted(address for message in mail.outbox for address in message.to)
    expected = [library.coordinator.email, library.mentor.email, library.other_mentor.email]
    assert asked == sorted(expected)
    assert Guide.objects.get(pk=guide.pk).status == Guide.Status.NEEDS_REVIEW

    mail.outbox.clear()
    with commit():
        assert services.send_due_reminders() == 0
        call_command("send_guide_reminders")
    assert mail.outbox == []


def test_confirming_sets_a_new_date_and_asks_again_only_when_that_one_passes(library, commit):
    guide = published(library)
    _past_due(guide)
    services.send_due_reminders()
    later = timezone.localdate() + datetime.timedelta(days=90)
    services.confirm_current(guide=guide, by=library.coordinator, check_by=later)
    guide.refresh_from_db()
    assert guide.status == Guide.Status.PUBLISHED and guide.check_by == later
    assert services.send_due_reminders() == 0
    assert services.send_due_reminders(today=later + datetime.timedelta(days=1)) == 1


def test_drafts_and_archived_guides_are_not_chased(library):
    guide = published(library)
    services.archive(guide=guide, by=library.coordinator)
    _past_due(guide)
    assert services.send_due_reminders() == 0
