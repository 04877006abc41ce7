"""What a real client sees when a real server refuses a socket, for both sockets.

Channels' in-process communicator reports the close code a consumer chose even when the
consumer closed before accepting; real servers turn that into an HTTP 403, and a browser into
close code 1006, which a page cannot tell from a lost network. So these run over TCP.
"""

import asyncio

import pytest
import websockets

from tests.reliability import clients, servers

pytestmark = [
    pytest.mark.stack,
    pytest.mark.postgres,
    pytest.mark.timeout(180),
    # What a page sees of a refusal, on the server `make run` serves too.
    pytest.mark.parametrize("server_class", sorted(servers.SERVERS), indirect=True),
]

ROUTES = ["/ws/me/", "/ws/forums/"]


@pytest.fixture(scope="module")
def site(fault_databases, server_class, tmp_path_factory):
    """One server on a fresh database, with the in-memory channel layer (no Redis needed)."""
    env = servers.base_env(database_url=fault_databases.fresh(), redis_url=None)
    server = server_class(env, tmp_path_factory.mktemp("handshake"), "handshake")
    server.start()
    try:
        yield server, fault_databases.data
    finally:
        server.stop()


async def _outcome(url: str, *, origin: str, session: str | None) -> str:
    """'open', 'closed <code>' (accepted, then closed) or 'http <status>' (refused)."""
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    try:
        async with websockets.connect(url, origin=origin, additional_headers=headers) as socket:
            try:
                async with asyncio.timeout(2):
                    await socket.recv()
                    return "open"
            except TimeoutError:
                return "open"
            except websockets.exceptions.ConnectionClosed as closed:
                return f"closed {closed.rcvd.code if closed.rcvd else 'without a frame'}"
    except websockets.exceptions.InvalidStatus as refused:
        return f"http {refused.response.status_code}"


def _outcomes(site, *, origin: str | None = None, session: str | None = None) -> dict:
    server, _data = site

    async def each():
        return {
            route: await _outcome(
                f"{server.ws}{route}", origin=origin or server.base, session=session
            )
            for route in ROUTES
        }

    return asyncio.run(each())


def test_a_signed_in_member_opens_both_sockets(site):
    assert _outcomes(site, session=site[1]["writer"]) == dict.fromkeys(ROUTES, "open")


@pytest.mark.parametrize("session", [None, "expired0session0key0that0is0gone"])
def test_a_socket_without_a_member_is_accepted_then_closed_with_4401(site, session):
    # A page whose session expired stops retrying on 4401 (static/pioneros/app.js, forum.js).
    assert _outcomes(site, session=session) == dict.fromkeys(ROUTES, "closed 4401")


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://127.0.0.1:{port}",  # wrong scheme
        "http://127.0.0.1:9999",  # wrong port
        "http://localhost:{port}",  # an allowed host, but not the one the page was served from
        "null",
    ],
)
def test_a_foreign_origin_is_refused_at_the_handshake(site, origin):
    server, data = site
    origin = origin.format(port=server.port)
    assert _outcomes(site, origin=origin, session=data["writer"]) == dict.fromkeys(
        ROUTES, "http 403"
    )


def test_an_unknown_path_is_refused_at_the_handshake_not_answered_with_an_error(site):
    """A client with a wrong path (an old page, a typo, a scanner) is told there is no such
    socket: HTTP 404 where the server can send it (Uvicorn, production's, and Granian), a
    refusal before accepting (HTTP 403) where it cannot (Daphne); never Channels' "No route
    found", an HTTP 500 and a traceback in the log for every attempt."""
    server, data = site
    outcome = asyncio.run(
        _outcome(f"{server.ws}/ws/forum/", origin=server.base, session=data["writer"])
    )
    assert outcome == ("http 403" if isinstance(server, servers.Daphne) else "http 404")
    # Its line comes before this request's.
    clients.http(server.base, "/after-the-unknown-socket/", session="")
    servers.wait_for(
        lambda: "/after-the-unknown-socket/" in server.log(), timeout=10, what="the line"
    )
    lines = [line for line in server.log().splitlines() if "/ws/forum/" in line]
    assert lines and not [line for line in lines if '" 500' in line]  # the status, not a port
    assert "Traceback" not in server.log() and "No route found" not in server.log()


def test_no_server_compresses_frames(site):
    """A browser asks for permessage-deflate; granted, every socket would keep zlib state and
    each event would be compressed once per socket, where the hub encodes it once for all."""
    server, data = site

    async def extensions():
        headers = {"Cookie": f"sessionid={data['writer']}"}
        async with websockets.connect(
            f"{server.ws}/ws/forums/", origin=server.base, additional_headers=headers
        ) as socket:  # the client offers compression by default, as browsers do
            return socket.response.headers.get("Sec-WebSocket-Extensions")

    assert asyncio.run(extensions()) is None


def test_each_socket_is_logged_by_its_path_without_chatter(site):
    """The log names each socket's path; Uvicorn's "connection open" and "connection closed",
    two lines a socket that name nothing, are not written (config/serve_uvicorn.py)."""
    server, data = site
    assert _outcomes(site, session=data["writer"]) == dict.fromkeys(ROUTES, "open")
    # The sockets closed before this request was sent: its line comes after theirs.
    clients.http(server.base, "/after-the-sockets/", session="")
    servers.wait_for(
        lambda: "/after-the-sockets/" in server.log(), timeout=10, what="the request's line"
    )
    log = server.log()
    assert "/ws/me/" in log and "/ws/forums/" in log
    assert "connection open" not in log and "connection closed" not in log
