"""The peer: what a Django team writes first, the Channels tutorial's chat consumer.

`group_add` on subscribe, `group_send` of each post to the topic's group, and every consumer
encoding the event and sending it to its own socket: no authentication, no database, no
catch-up. It runs on the same server and channel layer as the app (bench.settings), speaks
the forum socket's subscribe/post protocol so the same harness drives it, and sends frames of
the real events' shape (bench.bare.event).

    DJANGO_SETTINGS_MODULE=bench.settings daphne bench.tutorial_chat:application
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from bench.bare import event


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.groups_joined: list[str] = []
        await self.accept()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        message = json.loads(text_data)
        kind, topic = message.get("type"), message.get("topic")
        if kind == "subscribe":
            group = f"topic.{topic}"
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
            reply = {"type": "subscribed", "topic": topic, "last": 0, "complete": True}
            await self.send(text_data=json.dumps(reply))
        elif kind == "post":
            await self.channel_layer.group_send(
                f"topic.{topic}",
                {"type": "chat.message", "event": json.loads(event(topic, message["body"]))},
            )
            reply = {"type": "posted", "topic": topic, "ref": message.get("ref")}
            await self.send(text_data=json.dumps(reply))
        elif kind == "ping":
            await self.send(text_data='{"type": "pong"}')

    async def chat_message(self, message):
        # As in the tutorial: each consumer encodes the event for its own socket.
        await self.send(text_data=json.dumps(message["event"]))


async def _healthz(scope, receive, send):
    """200 on any path, so the bench's readiness check passes as it does for the app."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


application = ProtocolTypeRouter(
    {
        "http": _healthz,
        "websocket": URLRouter([path("ws/forums/", ChatConsumer.as_asgi())]),
    }
)
