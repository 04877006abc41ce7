"""WebSocket routes of the forums."""

from django.urls import path

from forums.consumers import ForumConsumer

websocket_urlpatterns = [
    path("ws/forums/", ForumConsumer.as_asgi()),
]
