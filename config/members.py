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
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import DatabaseError, connection
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from config.live import WARN_EVERY, try_again_later
from core.consumers import in_database_thread

logger = logging.getLogger(__name__)
DATABASE_SESSIONS = "django.contrib.sessions.backends.db"
# Channels' get_user is wrapped to run in its one sync thread; its function runs in ours.
get_user_of = channels_get_user.func


class _Outage:
    warned_at = -WARN_EVERY  # time.monotonic() of the last warning: reconnecting pages are many


@cache
def _reads_members_by_pk(backend_path: str) -> bool:
    """Whether this backend finds a member as ModelBackend does: by primary key, if active."""
    return type(load_backend(backend_path)).get_user is ModelBackend.get_user


@cache
def _statements() -> tuple[str, str]:
    quote, user = connection.ops.quote_name, get_user_model()._meta
    password, active = (user.get_field(name).column for name in ("password", "is_active"))
    session = (
        f"SELECT {quote('session_data')} FROM {quote('django_session')} "
        f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
    )
    # Only what the checks need; the rest of the member loads if a socket ever reads it.
    member = (
        f"SELECT {quote(user.pk.column)}, {quote(password)} FROM {quote(user.db_table)} "
        f"WHERE {quote(user.pk.column)} = %s AND {quote(active)} = %s"
    )
    return session, member


def read_member(session_key: str | None):
    """The member signed in with this session key, or AnonymousUser: what Channels' get_user
    answers for it."""
    if settings.SESSION_ENGINE != DATABASE_SESSIONS:
        engine = import_module(settings.SESSION_ENGINE)
        return get_user_of({"session": engine.SessionStore(session_key)})
    store = SessionStore(session_key)
    if store.session_key is None:  # missing, or not shaped like a key
        return AnonymousUser()
    session_sql, member_sql = _statements()
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
    user = member.from_db(connection.alias, [member._meta.pk.attname, "password"], row)
    session_hash = data.get(HASH_SESSION_KEY)
    if not (session_hash and constant_time_compare(session_hash, user.get_session_auth_hash())):
        return get_user_of({"session": store})  # flushes the session, as a page's request would
    return user


_read_member = in_database_thread(read_member)


def _session_key(scope) -> tuple[dict, str | None]:
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
