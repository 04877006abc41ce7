"""The signed-in member of a socket: Channels' session authentication, off the one sync thread.

Channels' AuthMiddleware reads the session and the user in the process's single thread for
sync work, so a thousand pages reconnecting after a restart wait there one after another.
This reads them on the sockets' database threads instead (core.consumers.in_database_thread).
"""

import logging
import time

from channels.auth import AuthMiddleware, get_user
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.db import DatabaseError

from config.live import WARN_EVERY, try_again_later
from core.consumers import in_database_thread

logger = logging.getLogger(__name__)
_get_user = in_database_thread(get_user.func)


class _Outage:
    warned_at = -WARN_EVERY  # time.monotonic() of the last warning: reconnecting pages are many


class MemberMiddleware(AuthMiddleware):
    async def resolve_scope(self, scope):
        scope["user"]._wrapped = await _get_user(scope)

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        self.populate_scope(scope)
        try:
            await self.resolve_scope(scope)
        except DatabaseError as error:
            # As pages answer 503 while the database is away, the socket is told to retry
            # later (4503) rather than refused with an HTTP 500 the page cannot tell apart.
            if time.monotonic() - _Outage.warned_at > WARN_EVERY:
                logger.error("Database unavailable: sockets told to retry later (%s)", error)
                _Outage.warned_at = time.monotonic()
            return await try_again_later(receive, send)
        return await BaseMiddleware.__call__(self, scope, receive, send)


def member_middleware_stack(inner):
    return CookieMiddleware(SessionMiddleware(MemberMiddleware(inner)))


class MemberScope:
    """ASGI middleware: the member and cookies found by `member_middleware_stack`, then the
    socket runs without the rest of it. Kept in the chain, the stack would hold the session,
    its wrapper and three copies of the scope for as long as the socket stays open; an idle
    socket needs only its member and its language (docs/performance.md, "Memory")."""

    def __init__(self, inner):
        self.inner = inner
        self.resolve = member_middleware_stack(_member_and_cookies)

    async def __call__(self, scope, receive, send):
        found = await self.resolve(scope, receive, send)
        if found is None:
            return None  # the stack answered the socket itself (the database is away: 4503)
        user, cookies = found
        return await self.inner(dict(scope, user=user, cookies=cookies), receive, send)


async def _member_and_cookies(scope, receive, send):
    return scope["user"], scope["cookies"]
