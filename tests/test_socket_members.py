"""A socket's member, read in fixed statements (config/members.py), is whom Channels' own
session authentication finds, in every case a page's session can be in."""

import asyncio
import datetime

import pytest
from channels.auth import get_user as channels_get_user
from channels.db import database_sync_to_async
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection
from django.test import Client
from django.utils import timezone

from config import members
from config.members import member_of, read_member, read_members
from tests.factories import UserFactory
from tests.statements import sent_statements

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


def test_sessions_read_together_give_each_its_own_member(django_assert_num_queries):
    """Handshakes read together: each session gets what it would alone, in two statements."""
    first, second, gone = UserFactory(), UserFactory(), UserFactory()
    first_key, second_key, gone_key = _signed_in(first), _signed_in(second), _signed_in(gone)
    gone.is_active = False
    gone.save()
    keys = [first_key, "x" * 32, second_key, gone_key, None, first_key, _signed_in(first)]
    with django_assert_num_queries(2):
        found = read_members(keys)
    assert [member.pk for member in found] == [
        first.pk,
        None,
        second.pk,
        None,
        None,
        first.pk,
        first.pk,
    ]
    assert [member.pk for member in found] == [_channels_member(key).pk for key in keys]
    assert found[0] is not found[5]  # each socket holds a member of its own


def test_a_crowd_of_sessions_is_read_in_the_statements_of_a_few():
    """A trip holds up to 200 handshakes. Each gets its own member, and on PostgreSQL the
    statements read the same for 60 keys as for 2: psycopg parses a statement of more than
    50 parameters afresh on every run (core/statements.py)."""
    people = [UserFactory() for _ in range(60)]
    keys = [_signed_in(person) for person in people]
    with sent_statements() as few:
        assert [member.pk for member in read_members(keys[:2])] == [p.pk for p in people[:2]]
    with sent_statements() as crowd:
        found = read_members(keys)
    assert [member.pk for member in found] == [person.pk for person in people]
    assert len(crowd) == 2
    if connection.vendor == "postgresql":
        assert crowd == few


@pytest.fixture
def trips(monkeypatch) -> list[int]:
    """The keys each trip to a database thread reads, in order."""
    made = []

    async def counted(session_keys):
        made.append(len(session_keys))
        return await database_sync_to_async(read_members)(session_keys)

    monkeypatch.setattr(members._handshakes, "read_all", counted)
    return made


async def _signed_in_members(count: int) -> tuple[list, list[str]]:
    users = [await database_sync_to_async(UserFactory)() for _ in range(count)]
    return users, [await database_sync_to_async(_signed_in)(user) for user in users]


@pytest.mark.django_db(transaction=True)
async def test_handshakes_arriving_together_share_one_trip(trips):
    users, keys = await _signed_in_members(3)
    found = await asyncio.gather(*(member_of(key) for key in [*keys, "x" * 32]))
    assert [member.pk for member in found] == [*(user.pk for user in users), None]
    assert trips == [4]
    # Alone, a handshake waits for no one.
    assert (await member_of(keys[0])).pk == users[0].pk
    assert trips == [4, 1]


def test_a_key_django_never_issues_is_nobody_and_spoils_no_other(django_assert_num_queries):
    """A cookie may carry a NUL byte (escaped): PostgreSQL refuses a statement holding one,
    which would have failed every handshake read with it."""
    first, second = UserFactory(), UserFactory()
    keys = [_signed_in(first), "\x00aaaaaaaa", _signed_in(second), "ABCDEFGHIJKLMNOP"]
    with django_assert_num_queries(2):
        found = read_members(keys)
    assert [member.pk for member in found] == [first.pk, None, second.pk, None]


def test_one_sessions_own_failure_is_its_answer_alone(settings, monkeypatch):
    # A session of a backend with rules of its own goes through Channels' function; if that
    # fails, only that socket hears of it.
    allow_all = "django.contrib.auth.backends.AllowAllUsersModelBackend"
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", allow_all]
    plain, other = UserFactory(), UserFactory()
    keys = [_signed_in(plain), _signed_in(other, backend=allow_all)]

    def failing(scope):
        raise RuntimeError("the session store is away")

    monkeypatch.setattr(members, "get_user_of", failing)
    found = read_members(keys)
    assert found[0].pk == plain.pk
    assert isinstance(found[1], RuntimeError)
    with pytest.raises(RuntimeError):
        read_member(keys[1])


@pytest.mark.django_db(transaction=True)
async def test_more_handshakes_than_one_trip_holds_are_all_answered(trips, monkeypatch):
    users, keys = await _signed_in_members(5)
    monkeypatch.setattr(members._handshakes, "batch", 2)
    found = await asyncio.gather(*(member_of(key) for key in keys))
    assert [member.pk for member in found] == [user.pk for user in users]
    assert trips == [2, 2, 1]


@pytest.mark.django_db(transaction=True)
async def test_a_failed_trip_reaches_every_handshake_of_it_and_the_next_are_read(monkeypatch):
    (user,), (key,) = await _signed_in_members(1)

    async def away(session_keys):
        raise DatabaseError("the database is away")

    monkeypatch.setattr(members._handshakes, "read_all", away)
    answers = await asyncio.gather(*(member_of(key) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(answer, DatabaseError) for answer in answers)  # each then gets 4503
    monkeypatch.undo()
    assert (await member_of(key)).pk == user.pk
