"""Links in emails sent from background work point at the configured PUBLIC_URL."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from mentoring.models import Session
from tests.mentoring.test_sessions import group_session

pytestmark = pytest.mark.django_db


def test_reminder_links_carry_the_public_url_and_its_port(net, commit):
    session = group_session(net)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + timedelta(hours=2))
    mail.outbox.clear()
    with override_settings(PUBLIC_URL="http://127.0.0.1:8010"), commit():
        call_command("send_session_reminders")
    links = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert links
    assert all(link.startswith("http://127.0.0.1:8010/") for link in links)
