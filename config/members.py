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
import time
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
from core.consumers import in_database_thread
from core.statements import column, table

logger = logging.getLogger(__name__)
DATABASE_SESSIONS = "django.contrib.sessions.backends.db"
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
def _statements() -> tuple[str, str, list[str]]:
    """The two reads, and the member's fields the second loads (in the model's order, as
    Model.from_db takes them): what the checks need, and the email its name is."""
    user = get_user_model()
    loaded = [
        field.name
        for field in user._meta.concrete_fields
        if field.name in {user._meta.pk.name, "password", "email"}
    ]
    session_sql = (
        f"SELECT {column(Session, 'session_data')} FROM {table(Session)} "
        f"WHERE {column(Session, 'session_key')} = %s AND {column(Session, 'expire_date')} > %s"
    )
    member_sql = (
        f"SELECT {', '.join(column(user, name) for name in loaded)} FROM {table(user)} "
        f"WHERE {column(user, user._meta.pk.name)} = %s AND {column(user, 'is_active')} = %s"
    )
    return session_sql, member_sql, [user._meta.get_field(name).attname for name in loaded]


def read_member(session_key: str | None) -> AbstractBaseUser | AnonymousUser:
    """The member signed in with this session key, or AnonymousUser: what Channels' get_user
    answers for it. The member holds its key, password and email; any other field loads when
    read, which only a database thread may do (core.consumers.in_database_thread)."""
    if settings.SESSION_ENGINE != DATABASE_SESSIONS:
        engine = import_module(settings.SESSION_ENGINE)
        return get_user_of({"session": engine.SessionStore(session_key)})
    store = SessionStore(session_key)
    if store.session_key is None:  # missing, or not shaped like a key
        return AnonymousUser()
    session_sql, member_sql, fields = _statements()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(session_sql, [store.session_key, now])
        row = cursor.fetchone()
        if row is None:
            return AnonymousUser()
        data = store.decode(row[0])
        backend_path = data.get(BACKEND_SESSION_KEY)
        if SESSION_KEY not in data or backend_path not in settings.AUTHENTICATION_BACKENDS:
            return AnonymousUser()
        if not _reads_members_by_pk(backend_path):
            return get_user_of({"session": store})
        member = get_user_model()
        cursor.execute(member_sql, [member._meta.pk.to_python(data[SESSION_KEY]), True])
        row = cursor.fetchone()
    if row is None:
        return AnonymousUser()
    user = member.from_db(connection.alias, fields, row)
    session_hash = data.get(HASH_SESSION_KEY)
    if not (session_hash and constant_time_compare(session_hash, user.get_session_auth_hash())):
        # Channels flushes a session whose password changed since; its function does it.
        return get_user_of({"session": store})
    return user


_read_member = in_database_thread(read_member)


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
            user = await _read_member(session_key)
        except DatabaseError as error:
            # As pages answer 503 while the database is away, the socket is told to retry
            # later (4503) rather than refused with an HTTP 500 the page cannot tell apart.
            if time.monotonic() - _Outage.warned_at > WARN_EVERY:
                logger.error("Database unavailable: sockets told to retry later (%s)", error)
                _Outage.warned_at = time.monotonic()
            return await try_again_later(receive, send)
        return await self.inner(dict(scope, user=user, cookies=cookies), receive, send)
