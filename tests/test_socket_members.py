"""A socket's member, read in fixed statements (config/members.py), is whom Channels' own
session authentication finds, in every case a page's session can be in."""

import datetime

import pytest
from channels.auth import get_user as channels_get_user
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from config.members import read_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(user, backend: str | None = None) -> str:
    client = Client()
    client.force_login(user, backend=backend)
    return client.cookies["sessionid"].value


def _channels_member(session_key):
    return channels_get_user.func({"session": SessionStore(session_key)})


def _anonymous_to_both(session_key) -> bool:
    """Whether the fixed reads and Channels both find nobody signed in with this key."""
    return not (
        read_member(session_key).is_authenticated or _channels_member(session_key).is_authenticated
    )


def test_a_signed_in_session_gives_its_member_with_every_field_readable():
    user = UserFactory()
    key = _signed_in(user)
    member = read_member(key)
    assert member.is_authenticated
    assert member.pk == user.pk == _channels_member(key).pk
    # Fields the reads left out load on first use, with their proper types.
    assert str(member) == user.email  # read with the member: its name is safe anywhere
    assert member.date_joined == user.date_joined
    assert member.is_active is True


@pytest.mark.parametrize("key", [None, "", "short", "x" * 32, "y" * 200])
def test_no_session_or_an_unknown_key_is_anonymous(key):
    UserFactory()
    assert _anonymous_to_both(key)


def test_an_expired_session_is_anonymous():
    key = _signed_in(UserFactory())
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - datetime.timedelta(1))
    assert _anonymous_to_both(key)


def test_a_deactivated_member_is_anonymous():
    user = UserFactory()
    key = _signed_in(user)
    user.is_active = False
    user.save()
    assert _anonymous_to_both(key)


def test_a_changed_password_ends_the_session_as_a_page_would():
    user = UserFactory()
    key = _signed_in(user)
    user.set_password("a new and different passphrase")
    user.save()
    assert not read_member(key).is_authenticated
    assert not Session.objects.filter(pk=key).exists()  # flushed, as Channels does


def test_a_session_without_a_member_or_with_an_unknown_backend_is_anonymous():
    user = UserFactory()
    anonymous = SessionStore()
    anonymous["cart"] = "nothing here"
    anonymous.create()
    assert _anonymous_to_both(anonymous.session_key)

    key = _signed_in(user)
    store = SessionStore(key)
    store[BACKEND_SESSION_KEY] = "somewhere.else.Backend"
    store.save()
    assert _anonymous_to_both(key)


def test_a_deleted_member_is_anonymous():
    user = UserFactory()
    key = _signed_in(user)
    user.delete()
    assert not read_member(key).is_authenticated


def test_another_session_engine_is_read_by_channels(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    user = UserFactory()
    key = _signed_in(user)
    assert read_member(key).pk == user.pk


def test_a_member_signed_in_through_allauth_is_found():
    user = UserFactory()
    key = _signed_in(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert read_member(key).pk == user.pk == _channels_member(key).pk


def test_a_backend_with_rules_of_its_own_is_asked(settings):
    # It lets inactive members in: the fixed reads, which keep them out, must not answer.
    allow_all = "django.contrib.auth.backends.AllowAllUsersModelBackend"
    settings.AUTHENTICATION_BACKENDS = [allow_all]
    user = UserFactory(is_active=False)
    key = _signed_in(user, backend=allow_all)
    assert read_member(key).pk == user.pk == _channels_member(key).pk
