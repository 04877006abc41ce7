"""Which pages may open a WebSocket: the site's own origins, checked as Django checks a form's.

A socket carries the session cookie, so a page from anywhere else must not open one (a
cross-site WebSocket hijack). Channels' AllowedHostsOriginValidator compares host names
only, so `https://127.0.0.1:9999` passed for a site at `http://127.0.0.1:8000`. Here the
whole origin (scheme, host and port) must be one of: the request's own host, with the
scheme it arrived by; PUBLIC_URL; or an entry of CSRF_TRUSTED_ORIGINS (`*.` wildcards as
in Django). A refused origin gets HTTP 403 at the handshake, before any application code.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin1")
    return None


def _is_secure(scope) -> bool:
    # As HttpRequest.scheme: behind a TLS proxy the socket arrives as ws, the proxy says https.
    if settings.SECURE_PROXY_SSL_HEADER:
        meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        name = meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        value = _header(scope, name)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme") == "wss"


def _own_origin(scope) -> str | None:
    """The origin of the page that would have been served by this request, as Django sees it."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    # A host outside ALLOWED_HOSTS is no origin of ours (DNS rebinding sends its own).
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return f"{'https' if _is_secure(scope) else 'http'}://{host}"


def _site_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def origin_allowed(scope) -> bool:
    origin = _header(scope, b"origin")
    if not origin:
        return False  # every browser sends one; a page cannot be vouched for without it
    own = _own_origin(scope)
    public = getattr(settings, "PUBLIC_URL", None)
    if origin == own or (public and origin == _site_origin(public)):
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in trusted:
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return any(
        "*" in pattern
        and urlsplit(pattern).scheme == parts.scheme
        and is_same_domain(parts.netloc, urlsplit(pattern).netloc.lstrip("*"))
        for pattern in trusted
    )


class SiteOriginValidator:
    """ASGI middleware for WebSockets: refuse, with a 403 at the handshake, any other origin."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier.as_asgi()(scope, receive, send)
        return await self.inner(scope, receive, send)
