"""Request middleware: a strict Content-Security-Policy, each member's time zone, and a 503
while the database is unreachable."""

import logging
import zoneinfo

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Every script, style and font is served by the app itself, so nothing else is allowed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class MemberTimezoneMiddleware:
    """Show times in the member's own time zone; anonymous visitors see UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
        if profile is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(profile.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


def database_answers() -> bool:
    """Whether the database accepts a new connection and a query now."""
    # A connection of its own, outside the pool: the request's may be the broken one, or
    # inside a transaction, and a busy pool is not a database that does not answer.
    database = connections.settings[DEFAULT_DB_ALIAS]
    options = {key: value for key, value in database["OPTIONS"].items() if key != "pool"}
    wrapper = type(connections[DEFAULT_DB_ALIAS])
    probe = wrapper({**database, "OPTIONS": options}, DEFAULT_DB_ALIAS)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    finally:
        probe.close()
    return True


class DatabaseUnavailableMiddleware:
    """A failed request while the database does not answer is a 503 to retry, not a 500.

    Outermost but for security headers: a failure anywhere inside (the session, the member,
    the view) is already a 500 response here, so the database is asked directly. Each write is
    one transaction, so nothing was half-saved; the next request reconnects by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 500 or database_answers():
            return response
        logger.error("Database unavailable: answered %s %s with 503", request.method, request.path)
        with translation.override(translation.get_language_from_request(request)):
            if request.path.startswith("/api/"):
                unavailable = JsonResponse(
                    {
                        "error": "unavailable",
                        "message": _("The database cannot be reached; try again in a minute."),
                    },
                    status=503,
                )
            else:
                unavailable = HttpResponse(render_to_string("503.html"), status=503)
        unavailable.headers["Retry-After"] = "30"
        return unavailable
