"""Accounts through django-allauth: email sign-in, verification, reset, rate limits."""

import re
import smtplib
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from core.emails import send_account_email
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_sign_up_sends_verification_and_blocks_until_verified(client, mailoutbox):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert mailoutbox[-1].to == ["new@example.org"]
    # Not signed in until the address is confirmed.
    assert client.get(reverse("profile_edit")).status_code == 302

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert client.get(reverse("profile_edit")).status_code == 200


def test_unverified_account_cannot_sign_in(client):
    user = UserFactory(verified=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_verified_account_signs_in_by_email(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_sends_a_link(client, mailoutbox):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert mailoutbox[-1].to == [user.email]
    assert "/accounts/password/reset/key/" in mailoutbox[-1].body


def test_repeated_wrong_passwords_are_rate_limited(client):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


def test_an_account_email_the_mail_server_refuses_is_sent_again_later(client, settings):
    """Account emails go through the task queue, with its retries, instead of the request."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    (queued,) = send_account_email.get_backend().results
    assert queued.kwargs["message"]["to"] == [user.email]
    refused = mock.patch("core.emails._deliver", side_effect=smtplib.SMTPServerDisconnected)
    with refused, pytest.raises(smtplib.SMTPServerDisconnected):
        send_account_email.call(**queued.kwargs)
    retry = send_account_email.get_backend().results[-1]
    assert retry.kwargs == {**queued.kwargs, "attempt": 2}
    assert retry.task.run_after is not None
