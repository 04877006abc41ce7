"""WebSocket routes of the network app."""

from django.urls import path

from network.consumers import MemberEventsConsumer

websocket_urlpatterns = [
    path("ws/me/", MemberEventsConsumer.as_asgi()),
]
