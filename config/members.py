"""The signed-in member of a socket, read off the one sync thread in two fixed statements.

Channels' cookie, session and auth middleware find the member through the ORM, in the
process's single thread for sync work: 0.83 ms of CPU a handshake, where the same two reads as
fixed statements take 0.12 (docs/performance.md, "Handshakes"). This reads the session row and
the member's row directly, on the sockets' database threads, and applies Channels' rules
(`channels.auth.get_user`): a live session, one of our authentication backends, an active
member whose session hash still matches. Anything else, another session engine or backend, or
a hash that no longer matches (the session is then flushed), goes through Channels' own.
"""

import logging
import string
import time
from collections.abc import Callable
from functools import cache
from importlib import import_module

from channels.auth import get_user as channels_get_user
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection
from django.db.models import Manager
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from config.live import WARN_EVERY, try_again_later
from core.gathered import Gathered
from core.statements import column, one_of, table

logger = logging.getLogger(__name__)
# Django's database sessions, and ours, which read the same rows (core.sessions).
DATABASE_SESSIONS = ("django.contrib.sessions.backends.db", "core.sessions")
KEY_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)  # as Django's keys are made
Member = AbstractBaseUser | AnonymousUser
# Channels' get_user is wrapped to run in its one sync thread; its function runs in ours.
get_user_of = channels_get_user.func


class _Outage:
    warned_at = -WARN_EVERY  # time.monotonic() of the last warning: reconnecting pages are many


@cache
def _reads_members_by_pk(backend_path: str) -> bool:
    """Whether this backend finds a member as ModelBackend does: by primary key, through the
    model's plain manager, if active. A backend or manager with rules of its own is asked."""
    backend, manager = type(load_backend(backend_path)), type(get_user_model()._default_manager)
    return (
        backend.get_user is ModelBackend.get_user
        and backend.user_can_authenticate is ModelBackend.user_can_authenticate
        and manager.get_queryset is Manager.get_queryset
    )


@cache
def _member_fields() -> tuple[list[str], list[str]]:
    """The member's columns the read loads, in the model's order (as Model.from_db takes
    them): what the checks need, and the email its name is; and their attribute names."""
    user = get_user_model()
    loaded = [
        field
        for field in user._meta.concrete_fields
        if field.name in {user._meta.pk.name, "password", "email"}
    ]
    return [column(user, field.name) for field in loaded], [field.attname for field in loaded]


def _sessions_read(keys: list[str], now: object) -> tuple[str, list]:
    keyed, params = one_of(Session, "session_key", keys)
    sql = (
        f"SELECT {column(Session, 'session_key')}, {column(Session, 'session_data')} "
        f"FROM {table(Session)} WHERE {keyed} AND {column(Session, 'expire_date')} > %s"
    )
    return sql, [*params, now]


def _members_read(pks: list) -> tuple[str, list]:
    user, (columns, _) = get_user_model(), _member_fields()
    keyed, params = one_of(user, user._meta.pk.name, pks)
    sql = (
        f"SELECT {', '.join(columns)} FROM {table(user)} "
        f"WHERE {keyed} AND {column(user, 'is_active')} = %s"
    )
    return sql, [*params, True]


def read_member(session_key: str | None) -> Member:
    """The member signed in with this session key, or AnonymousUser: what Channels' get_user
    answers for it. The member holds its key, password and email; any other field loads when
    read, which only a database thread may do (core.consumers.in_database_thread)."""
    (found,) = read_members([session_key])
    if isinstance(found, Exception):
        raise found
    return found


def read_members(session_keys: list[str | None]) -> list[Member | Exception]:
    """`read_member` of each key, in two statements for them all: handshakes arriving
    together share them (`_handshakes`). A failure of one session's own (Channels' function
    flushing it, say) is that key's answer alone; one of the statements fails them all."""
    if settings.SESSION_ENGINE not in DATABASE_SESSIONS:
        engine = import_module(settings.SESSION_ENGINE)
        return [_alone(get_user_of, {"session": engine.SessionStore(key)}) for key in session_keys]
    # A key Django never issues is nobody's, and must not reach the shared statement: a NUL
    # byte (a cookie may carry one, escaped) makes PostgreSQL refuse it for every key in it.
    stores = [SessionStore(key if _issuable(key) else None) for key in session_keys]
    known = {store.session_key for store in stores} - {None}  # None: not shaped like a key
    if not known:
        return [AnonymousUser() for _ in stores]
    member, now = get_user_model(), connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(*_sessions_read(list(known), now))
        decode = SessionStore().decode  # uses only the class's salt and serializer
        data = {key: decode(encoded) for key, encoded in cursor.fetchall()}
        pks = {
            member._meta.pk.to_python(found[SESSION_KEY])
            for found in data.values()
            if SESSION_KEY in found
            and found.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
            and _reads_members_by_pk(found[BACKEND_SESSION_KEY])
        }
        rows = []
        if pks:
            cursor.execute(*_members_read(list(pks)))
            rows = cursor.fetchall()
    _, fields = _member_fields()
    pk_at = fields.index(member._meta.pk.attname)
    rows_by_pk = {row[pk_at]: row for row in rows}
    return [_alone(_member, store, data.get(store.session_key), rows_by_pk) for store in stores]


def _issuable(key: str | None) -> bool:
    return key is not None and not set(key) - KEY_CHARACTERS


def _alone(read: Callable, *args) -> Member | Exception:
    try:
        return read(*args)
    except Exception as error:  # this session's own failure, for its socket alone
        return error


def _member(store: SessionStore, data: dict | None, rows: dict) -> Member:
    """Channels' rules for one session, on the rows read for all of them; a member of
    their own for each socket, as Channels gives."""
    if data is None or SESSION_KEY not in data:
        return AnonymousUser()
    backend_path = data.get(BACKEND_SESSION_KEY)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    if not _reads_members_by_pk(backend_path):
        return get_user_of({"session": store})
    member = get_user_model()
    row = rows.get(member._meta.pk.to_python(data[SESSION_KEY]))
    if row is None:
        return AnonymousUser()
    user = member.from_db(connection.alias, _member_fields()[1], row)
    session_hash = data.get(HASH_SESSION_KEY)
    if not (session_hash and constant_time_compare(session_hash, user.get_session_auth_hash())):
        # Channels flushes a session whose password changed since; its function does it.
        return get_user_of({"session": store})
    return user


# Handshakes waiting for their member, read together (core.gathered): when a restart brings
# thousands of pages back at once, a trip and two statements each cost more than the
# handshake itself (docs/performance.md, "Handshakes read together"). At most 200 keys a trip.
_handshakes = Gathered(read_members, batch=200)


async def member_of(session_key: str | None) -> Member:
    if session_key is None:  # no cookie: nobody to read
        return AnonymousUser()
    return await _handshakes(session_key)


def _session_key(scope: dict) -> tuple[dict, str | None]:
    # As Channels' CookieMiddleware: the first Cookie header.
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            cookies = parse_cookie(value.decode("latin1"))
            return cookies, cookies.get(settings.SESSION_COOKIE_NAME)
    return {}, None


class MemberScope:
    """ASGI middleware: the socket's member as scope["user"] and its cookies (for the
    language) as scope["cookies"]. Nothing else stays in the scope: an idle socket needs only
    its member and its language (docs/performance.md, "Memory")."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        cookies, session_key = _session_key(scope)
        try:
            user = await member_of(session_key)
        except DatabaseError as error:
            # As pages answer 503 while the database is away, the socket is told to retry
            # later (4503) rather than refused with an HTTP 500 the page cannot tell apart.
            if time.monotonic() - _Outage.warned_at > WARN_EVERY:
                logger.error("Database unavailable: sockets told to retry later (%s)", error)
                _Outage.warned_at = time.monotonic()
            return await try_again_later(receive, send)
        return await self.inner(dict(scope, user=user, cookies=cookies), receive, send)
