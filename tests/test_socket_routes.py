"""A socket path no app serves is refused at the handshake, not an error of the server's.

What a real server answers (HTTP 404 or 403) is in tests/reliability/test_socket_handshake.py.
"""

from channels.testing import WebsocketCommunicator

from config.asgi import application

HEADERS = [(b"host", b"testserver"), (b"origin", b"http://testserver")]


async def test_an_unknown_path_is_closed_before_accepting():
    communicator = WebsocketCommunicator(application, "/ws/forum/", headers=HEADERS)
    connected, _code = await communicator.connect()
    assert not connected  # a server answers HTTP 403
    await communicator.wait()


async def test_a_server_that_can_deny_is_asked_for_a_404():
    communicator = WebsocketCommunicator(application, "/ws/nothing-here/", headers=HEADERS)
    communicator.scope["extensions"] = {"websocket.http.response": {}}
    await communicator.send_input({"type": "websocket.connect"})
    start = await communicator.receive_output()
    body = await communicator.receive_output()
    assert (start["type"], start["status"]) == ("websocket.http.response.start", 404)
    assert body == {"type": "websocket.http.response.body", "body": b"No such socket.\n"}
    await communicator.wait()


async def test_known_paths_still_reach_their_consumers():
    for path in ("/ws/me/", "/ws/forums/"):
        communicator = WebsocketCommunicator(application, path, headers=HEADERS)
        connected, _code = await communicator.connect()
        assert connected  # accepted, then closed with 4401: nobody is signed in
        await communicator.disconnect()
