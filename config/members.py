"""The signed-in member of a socket: Channels' session authentication, off the one sync thread.

Channels' AuthMiddleware reads the session and the user in the process's single thread for
sync work, so a thousand pages reconnecting after a restart wait there one after another.
This reads them in the loop's thread pool instead (core.consumers.in_database_thread).
"""

from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware

from core.consumers import in_database_thread

_get_user = in_database_thread(get_user.func)


class MemberMiddleware(AuthMiddleware):
    async def resolve_scope(self, scope):
        scope["user"]._wrapped = await _get_user(scope)


def member_middleware_stack(inner):
    return CookieMiddleware(SessionMiddleware(MemberMiddleware(inner)))
