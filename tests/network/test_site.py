"""The site's name and address in emails follow what is actually served, never example.com."""

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_sign_up_email_is_from_pioneros(client, mailoutbox):
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    email = mailoutbox[-1]
    assert email.subject.startswith("[Pioneros] ")
    assert "Hello from Pioneros!" in email.body
    assert "example.com" not in email.subject + email.body


def test_password_reset_email_is_from_pioneros(client, mailoutbox):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    email = mailoutbox[-1]
    assert email.subject.startswith("[Pioneros] ")
    assert "Hello from Pioneros!" in email.body
    assert "example.com" not in email.subject + email.body


def test_migrate_names_the_site_by_the_address_it_is_served_at():
    with override_settings(PUBLIC_URL="http://127.0.0.1:8010"):
        call_command("migrate", verbosity=0)
    site = Site.objects.get_current()
    assert (site.name, site.domain) == ("Pioneros", "127.0.0.1:8010")


def test_make_run_gives_every_process_the_address_it_serves():
    """The server, the email worker and the reminders all build links to HOST:PORT."""
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8010"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    commands = [
        part
        for part in re.split(r"[;&]|\bdo\b", dry_run)
        if "manage.py" in part or "serve" in part
    ]
    wanted = ("migrate", "db_worker", "send_session_reminders", "send_guide_reminders", "serve")
    for name in wanted:
        started = [command for command in commands if name in command]
        assert started, name
        assert all("PUBLIC_URL=http://127.0.0.1:8010 " in command for command in started), name
