"""What an officer, a mentor and the person helped see of credits on My network."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from incentives import selectors
from tests.incentives.test_crediting import session

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_officer_sees_budget_used_and_last_month_to_approve(client, setting):
    last_month = selectors.month_start(timezone.localdate()) - datetime.timedelta(days=3)
    with pytest.MonkeyPatch.context() as patch:
        # Credits carry the time they were written: write these last month.
        moment = timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(12)))
        patch.setattr(timezone, "now", lambda: moment)
        session(setting, 1, when=moment)
        session(setting, 2, when=moment)
    html = home(client, setting.officer)
    assert 'id="panel-officer"' in html
    assert "100.00 of 1,000.00 USD used" in html
    assert re.search(r"2 credits in \w+ \d{4} wait for your approval", html)
    assert setting.programme.get_absolute_url() in html


def test_the_person_helped_is_asked_to_confirm_and_the_mentor_sees_it_pending(
    client, setting, refetched
):
    session(setting, 1, confirmed=False)
    session(setting, 2)
    html = home(client, setting.follower)
    assert "Mateo Mentor helped you" in html
    assert reverse("incentives:my_credits") in html
    html = home(client, setting.mentor)
    assert "1 contribution of yours waits for confirmation or review." in html
    assert "<span>Mentores 2026</span><strong>50.00 USD</strong>" in html
    assert refetched == []  # the panel's lines come with their query


def test_no_officer_panel_for_members(client, setting):
    assert 'id="panel-officer"' not in home(client, setting.follower)
    assert 'id="panel-officer"' not in home(client, setting.coordinator)


def test_amounts_are_written_the_readers_way(client, setting):
    session(setting, 1)
    client.force_login(setting.officer)
    spanish = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "50,00 de 1\xa0000,00 USD usados" in spanish  # Spanish groups with a space
    portuguese = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert "50,00 de 1.000,00 USD usados" in portuguese
    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "50.00 of 1,000.00 USD used" in english
