"""WebSocket routes of every app, gathered in one list for the ASGI router."""

from django.urls import re_path

from forums.routing import websocket_urlpatterns as forum_routes
from network.routing import websocket_urlpatterns as network_routes


async def no_such_socket(scope, receive, send) -> None:
    """A path no app serves: refused at the handshake, with HTTP 404 where the server can send
    one (ASGI's denial response: Uvicorn and Granian, not Daphne), else closed before
    accepting, which servers answer with HTTP 403. Left to Channels' router, "No route found" is an
    error: an HTTP 500 and a traceback in the log for every client with a wrong path."""
    if (await receive())["type"] != "websocket.connect":
        return
    if "websocket.http.response" in (scope.get("extensions") or {}):
        await send(
            {
                "type": "websocket.http.response.start",
                "status": 404,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send({"type": "websocket.http.response.body", "body": b"No such socket.\n"})
    else:
        await send({"type": "websocket.close"})


# The sockets pages open; the router also refuses any other path.
websocket_urlpatterns = [*network_routes, *forum_routes]
routes = [*websocket_urlpatterns, re_path(r"", no_such_socket)]
