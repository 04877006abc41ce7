"""WebSocket routes of every app, gathered in one list for the ASGI router."""

from network.routing import websocket_urlpatterns as network_routes

websocket_urlpatterns = [*network_routes]
