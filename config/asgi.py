"""ASGI entry point: Django for HTTP, Channels for WebSockets, one Daphne process serves both."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

from config.env import ConfigError

try:
    django_asgi_app = get_asgi_application()
except ConfigError as exc:
    sys.exit(f"Configuration error: {exc}")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from config.live import LiveLayerGuard
from config.routing import websocket_urlpatterns

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin checked against ALLOWED_HOSTS, then the Django session attached as scope["user"];
        # while Redis is down, sockets are told so and closed (config/live.py).
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(LiveLayerGuard(URLRouter(websocket_urlpatterns)))
        ),
    }
)
