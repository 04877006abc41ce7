"""Accounts and keys under attack: rate limits, session fixation, CSRF on every form, no inline
script under the Content-Security-Policy, and private links that cannot be guessed, can be
revoked, lapse, and are never written to the logs.

`check --deploy` with production values is held by tests/test_configuration.py.
"""

import datetime
import logging
import re
import string
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks.signals import task_enqueued

from mentoring.models import FEED_LIFETIME, CalendarFeed, _calendar_token
from mentoring.services import calendars
from network.models import Invitation, User, _new_token
from tests.factories import PASSWORD, UserFactory
from tests.hostile.harmless import page_problems

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "pioneros-demo"
DEMO_ACCOUNTS = [
    "lucia@demo.pioneros.test",  # coordinator, mentor elsewhere
    "martin@demo.pioneros.test",  # coordinator
    "andres@demo.pioneros.test",  # follower
    "valeria@demo.pioneros.test",  # agency officer
]
# Never followed while crawling: they leave, download, or answer with something else than a page.
SKIP = re.compile(r"^/(accounts/logout|i18n|admin|static|api)|\.(ics|csv|svg|json)$")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo network of `make run`, loaded once and rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield {email: User.objects.get(email=email) for email in DEMO_ACCOUNTS}
        transaction.set_rollback(True)


# --- Rate limits and sessions -------------------------------------------------------------


def test_password_reset_is_rate_limited_per_address(client, mailoutbox):
    user = UserFactory()
    for _ in range(8):
        client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mailoutbox) == 5  # "5/m/key": the inbox is not flooded


def test_failed_logins_are_rate_limited_per_address_across_accounts(client):
    """Guessing one password across many accounts hits the per-address limit ("10/m/ip")."""
    victim = UserFactory()
    for n in range(10):
        client.post(reverse("account_login"), {"login": f"nobody{n}@example.org", "password": "x"})
    response = client.post(reverse("account_login"), {"login": victim.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 429 or b"Too many failed login attempts" in response.content


def _admin_sign_in(client: Client, email: str, password: str):
    """What a browser does at /admin/login/: post to the form it is shown, where it is shown."""
    response = client.get(reverse("admin:login"), follow=True)
    url = response.redirect_chain[-1][0] if response.redirect_chain else reverse("admin:login")
    # The admin's form names the address "username", the site's "login".
    return client.post(url, {"username": email, "login": email, "password": password})


def test_the_admin_sign_in_limits_password_guesses_like_the_site(client):
    """After the site's allowance of wrong passwords ("5/5m/key"), the right one waits too."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(6):
        _admin_sign_in(client, staff.email, "wrong guess")
    _admin_sign_in(client, staff.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    # Nor does posting straight to the admin's own form get around it.
    client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_lets_staff_in_through_the_site_sign_in(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    _admin_sign_in(client, staff.email, PASSWORD)
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get(reverse("admin:index")).status_code == 200


def _sign_up_counting_work(email: str) -> tuple:
    """Sign up as a stranger would; count the passwords hashed and the tasks enqueued."""
    enqueued = []

    def note(sender, task_result, **kwargs):
        enqueued.append(task_result.task.name)

    task_enqueued.connect(note)
    password = "a-long-and-new-passphrase-7"
    form = {"email": email, "password1": password, "password2": password}
    encode = MD5PasswordHasher.encode
    hasher = mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=encode)
    try:
        with hasher as spy:
            response = Client().post(reverse("account_signup"), form)
    finally:
        task_enqueued.disconnect(note)
    return response.status_code, response.get("Location"), spy.call_count, enqueued


def test_signing_up_with_a_taken_email_does_the_same_work_as_with_a_new_one(mailoutbox):
    """Without the same work on both paths, the time an answer takes tells who has an account."""
    taken = UserFactory().email
    new = _sign_up_counting_work("newcomer@example.org")
    existing = _sign_up_counting_work(taken)
    assert new == existing  # the same answer, as many passwords hashed, the same tasks
    status, _location, hashed, enqueued = new
    assert status == 302 and hashed >= 1 and len(enqueued) == 1
    assert [message.to for message in mailoutbox] == [["newcomer@example.org"], [taken]]


def test_session_key_rotates_at_login_and_the_old_one_is_gone(client):
    user = UserFactory()
    session = client.session
    session["planted"] = "by an attacker who knows this key"
    session.save()
    client.cookies["sessionid"] = planted = session.session_key
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.session_key != planted
    assert not SessionStore().exists(planted)


# --- Pages of the demo network: CSRF, CSP, no inline script ------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: set[str] = set()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.add(attributes["href"])
        elif tag == "form":
            self.forms.append({**attributes, "fields": set()})
        elif tag in {"input", "button", "select", "textarea"} and self.forms:
            self.forms[-1]["fields"].add(attributes.get("name"))


def _crawl(client: Client, start: list[str], limit: int) -> dict[str, tuple]:
    """Same-site pages reachable from `start` (GET only), at most `limit` of them."""
    seen, queue, pages = set(start), list(start), {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        parser = _Page()
        parser.feed(response.content.decode())
        pages[url] = (response, parser)
        for href in sorted(parser.links):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            # One page of each shape is enough: /topics/1/ stands for /topics/2/.
            shape = re.sub(r"\d+", "N", parts.path)
            if SKIP.search(parts.path) or shape in seen:
                continue
            seen.add(shape)
            queue.append(parts.path)
    return pages


@pytest.fixture(scope="module")
def crawled(demo, django_db_blocker):
    """Every demo role's pages, and one anonymous visitor's."""
    pages = {}
    with django_db_blocker.unblock():
        anonymous = Client()
        pages.update(_crawl(anonymous, ["/", reverse("account_login")], limit=10))
        for user in demo.values():
            client = Client()
            client.force_login(user)
            for url, page in _crawl(client, ["/"], limit=30).items():
                pages[f"{user.email} {url}"] = page
    return pages


def test_crawl_reaches_the_main_pages(crawled):
    assert len(crawled) >= 60
    forms = sum(len(parser.forms) for _response, parser in crawled.values())
    assert forms >= 20


def test_policy_allows_no_inline_script_and_pages_have_none(crawled):
    for where, (response, _parser) in crawled.items():
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in response["Content-Security-Policy"].split(";")
        )
        script = policy.get("script-src", policy.get("default-src", ""))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, where
        assert "*" not in script.split() and "data:" not in script, where
        assert page_problems(response.content.decode()) == [], where


def test_every_post_form_carries_a_token_and_is_refused_without_it(demo, crawled):
    posts = {}
    for where, (_response, parser) in crawled.items():
        for form in parser.forms:
            if form.get("method", "get").lower() != "post":
                continue
            assert "csrfmiddlewaretoken" in form["fields"], f"{where}: {form.get('action')}"
            user_email = where.split(" ", 1)[0] if "@" in where else None
            action = form.get("action") or where.split(" ", 1)[-1]
            posts.setdefault(action, user_email)
    assert len(posts) >= 15
    for action, email in posts.items():
        client = Client(enforce_csrf_checks=True)
        if email:
            client.force_login(demo[email])
        response = client.post(action, {"anything": "x"})
        assert response.status_code == 403, action


# --- Private links: calendar feeds and invitations -----------------------------------------


@pytest.mark.parametrize("make", [_calendar_token, _new_token])
def test_private_link_tokens_cannot_be_guessed(make):
    tokens = [make() for _ in range(2000)]
    assert len(set(tokens)) == len(tokens)
    alphabet = set(string.ascii_letters + string.digits + "-_")
    assert all(set(token) <= alphabet and len(token) >= 32 for token in tokens)
    # At least 6 random bits a character and 32 characters: 192 bits or more, and every
    # character of the alphabet is used in every position over many tokens.
    for position in (0, 15, 31):
        assert len({token[position] for token in tokens}) > 55


def test_calendar_feed_is_revocable_and_lapses(world):
    follower = world.a.follower
    client = Client()
    client.force_login(follower)
    old = calendars.ensure_feed(user=follower)
    assert Client().get(old.get_absolute_url()).status_code == 200
    client.post(reverse("mentoring:calendar"))
    assert Client().get(old.get_absolute_url()).status_code == 404
    new = calendars.ensure_feed(user=follower)
    assert new.token != old.token
    CalendarFeed.objects.filter(pk=new.pk).update(
        created_at=timezone.now() - FEED_LIFETIME - datetime.timedelta(minutes=1)
    )
    assert Client().get(new.get_absolute_url()).status_code == 404
    fresh = calendars.ensure_feed(user=follower)  # the calendar page gives out a new address
    assert fresh.token != new.token
    assert Client().get(fresh.get_absolute_url()).status_code == 200


def test_invitation_links_lapse_and_are_spent_once_answered(world):
    invitation = world.a.invitation
    invitee = UserFactory(email=invitation.email)
    client = Client()
    client.force_login(invitee)
    # Lapsed a moment after it was made (it must expire after its creation).
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=F("created_at") + datetime.timedelta(microseconds=1)
    )
    client.post(invitation.get_absolute_url(), {"answer": "accept", "display_name": "Invitee"})
    assert not invitee.memberships.filter(cluster=world.a.cluster).exists()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    client.post(invitation.get_absolute_url(), {"answer": "decline"})
    client.post(invitation.get_absolute_url(), {"answer": "accept", "display_name": "Invitee"})
    assert not invitee.memberships.filter(cluster=world.a.cluster).exists()


def test_private_link_tokens_are_never_logged(world, caplog):
    follower, invitation = world.a.follower, world.a.invitation
    feed = calendars.ensure_feed(user=follower)
    tokens = [feed.token, invitation.token]
    caplog.set_level(logging.DEBUG)
    owner = Client()
    owner.force_login(follower)
    with caplog.at_level(logging.DEBUG):
        Client().get(feed.get_absolute_url())
        Client().get(invitation.get_absolute_url())
        owner.get(reverse("mentoring:calendar"))
        owner.post(reverse("mentoring:calendar"))  # revoked: now a dead link
        tokens.append(calendars.ensure_feed(user=follower).token)
        Client().get(feed.get_absolute_url())  # a 404, which Django logs with its path
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=F("created_at") + datetime.timedelta(microseconds=1)
        )
        Client().get(invitation.get_absolute_url())
        Client().get(reverse("mentoring:calendar_feed", args=["x" + feed.token[1:]]))
    logged = "\n".join(
        [caplog.text, *(str(record.args) for record in caplog.records)]
        + [record.getMessage() for record in caplog.records]
    )
    assert caplog.records, "nothing was logged: the check would prove nothing"
    for token in tokens:
        assert token not in logged
        assert token[1:] not in logged
