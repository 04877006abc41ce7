"""ASGI entry point: Django for HTTP, Channels for WebSockets, one server process serves both."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application

from config.env import ConfigError

try:
    django_asgi_app = get_asgi_application()
except ConfigError as exc:
    sys.exit(f"Configuration error: {exc}")

from channels.routing import ProtocolTypeRouter, URLRouter

from config.closing import PromptClose
from config.live import LiveLayerGuard
from config.members import MemberScope
from config.origins import SiteOriginValidator
from config.routing import routes

# The whole origin checked against the site's own (config/origins.py), then the Django
# session's member attached as scope["user"] (config/members.py); while Redis is down,
# sockets are told so and closed (config/live.py); a path no page opens is refused
# (config/routing.py).
sockets = SiteOriginValidator(MemberScope(LiveLayerGuard(URLRouter(routes))))
application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": sockets})

# As Granian serves it (config/serve_granian.py): a close Granian would hold until the page's
# next frame leaves at once (config/closing.py). Daphne needs no task per read for that.
granian_application = ProtocolTypeRouter(
    {"http": django_asgi_app, "websocket": PromptClose(sockets)}
)
