"""WebSocket routes of every app, gathered in one list for the ASGI router."""

from forums.routing import websocket_urlpatterns as forum_routes
from network.routing import websocket_urlpatterns as network_routes

websocket_urlpatterns = [*network_routes, *forum_routes]
