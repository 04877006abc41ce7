"""Every WebSocket route x every role, message by message, with Channels' communicator.

The consumers check membership in their own database threads, which must see committed
rows: this module builds its world in a transactional test.
"""

import re
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from config.routing import websocket_urlpatterns
from tests.factories import UserFactory
from tests.security.conftest import count
from tests.security.matrix import STANDS_FOR, fingerprint
from tests.security.routes import exp
from tests.security.world import OBSERVER, ROLES, build_world

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"
db = database_sync_to_async


def members(answer: str, **roles) -> dict[str, str]:
    base = {"follower": answer, "mentor": answer, "coordinator": answer}
    return exp("not_found", anonymous="closed", **{**base, **roles})


def signed_in(answer: str) -> dict[str, str]:
    return exp(answer, anonymous="closed")


# Per route: (label, message built from a side, answer per role). "closed" means the
# connection itself is refused (4401), so no message is ever read.
SOCKETS = {
    "ws/me/": [
        ("ping", lambda s: {"type": "ping"}, signed_in("pong")),
    ],
    "ws/forums/": [
        ("ping", lambda s: {"type": "ping"}, signed_in("pong")),
        (
            "subscribe to the forum's topic",
            lambda s: {"type": "subscribe", "topic": s.topic.pk, "after": 0},
            members("subscribed"),
        ),
        (
            "subscribe to the forum",
            lambda s: {"type": "subscribe", "room": s.room.pk},
            members("subscribed"),
        ),
        (
            "subscribe to the pairing's conversation",
            lambda s: {"type": "subscribe", "topic": s.conversation.pk, "after": 0},
            members("subscribed", coordinator="not_found"),
        ),
        (
            "subscribe to the conversation's room",
            lambda s: {"type": "subscribe", "room": s.conversation.room_id},
            members("subscribed", coordinator="not_found"),
        ),
        (
            "post in the forum's topic",
            lambda s: {"type": "post", "topic": s.topic.pk, "body": "Por el socket"},
            members("posted"),
        ),
        (
            "post in the pairing's conversation",
            lambda s: {"type": "post", "topic": s.conversation.pk, "body": "Entre nosotros"},
            members("posted", coordinator="not_found"),
        ),
        (
            "unsubscribe",
            lambda s: {"type": "unsubscribe", "topic": s.topic.pk},
            signed_in("nothing"),
        ),
    ],
}


@db
def _session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connect(route: str, user):
    headers = [HOST, ORIGIN]
    if user is not None:
        headers.append((b"cookie", await _session_cookie(user)))
    communicator = WebsocketCommunicator(application, f"/{route}", headers=headers)
    connected, code = await communicator.connect()
    if not connected:
        return None, code
    if user is None:
        # Accepted, then closed: a refusal before accepting reaches a browser as 1006.
        closed = await communicator.receive_output()
        return None, closed["code"] if closed["type"] == "websocket.close" else closed
    if route == "ws/me/":
        assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    return communicator, None


async def _answer(communicator, message: dict) -> tuple[str, list[dict]]:
    """The answer to one message, and the other frames that came before it."""
    await communicator.send_json_to(message)
    frames = []
    if message["type"] == "unsubscribe":  # answers nothing; late events may still arrive
        while not await communicator.receive_nothing(timeout=0.1):
            frames.append(await communicator.receive_json_from())
        return "nothing", frames
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        kind = frame["type"]
        if kind == "error":
            return frame["code"], frames
        if kind in ("subscribed", "posted", "pong"):
            return kind, frames
        frames.append(frame)


async def _check(world, route, side_key, role, expected_of, failures) -> int:
    """One connection of `role` sends each of the route's messages; returns the cases run."""
    side = world.a if side_key == "a" else world.b
    communicator, code = await _connect(route, world.user(role))
    heard: set[tuple[str, int]] = set()  # what this socket subscribed to
    for label, build, expected in SOCKETS[route]:
        where = f"{route} {label:<40} {role:<18} side {side_key}"
        wanted = expected_of(expected)
        if communicator is None:
            observed = "closed" if code == 4401 else f"closed {code}"
            if observed != wanted:
                failures.append(f"{where}: expected {wanted}, got {observed}")
            continue
        message = build(side)
        before = await db(fingerprint)() if message["type"] == "post" else None
        observed, frames = await _answer(communicator, message)
        if before is not None and observed != "posted" and await db(fingerprint)() != before:
            failures.append(f"{where}: wrote something")
        if observed == "subscribed":
            heard |= {(key, message[key]) for key in ("topic", "room") if key in message}
        if observed != wanted:
            failures.append(f"{where}: expected {wanted}, got {observed}")
        for frame in frames:
            if not {(key, frame.get(key)) for key in ("topic", "room")} & heard:
                failures.append(f"{where}: was sent {frame}")
    if communicator is not None:
        await communicator.disconnect()
    return len(SOCKETS[route])


def test_every_socket_route_and_message_is_in_the_table():
    assert sorted(str(route.pattern) for route in websocket_urlpatterns) == sorted(SOCKETS)
    tried = {build(_Anything())["type"] for _label, build, _expected in SOCKETS["ws/forums/"]}
    documented = _client_to_server_types()
    assert documented, "docs/realtime.md lists no client messages"
    assert documented <= tried, f"documented messages nobody tries: {documented - tried}"


class _Anything:
    """Stands for a side when only a message's type is wanted."""

    pk = room_id = 0

    def __getattr__(self, name):
        return self


def _client_to_server_types() -> set[str]:
    text = DOCS.read_text()
    section = text.split("## Client to server", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)) - {"type"}  # the header


async def test_every_socket_route_answers_every_role_as_expected():
    world = await db(build_world)()
    failures: list[str] = []
    cases = 0
    for route in SOCKETS:
        for role in ROLES:
            cases += await _check(world, route, "a", role, lambda e, r=role: e[r], failures)
        # Each person of side a, with side b's ids, fares as the outsider of their standing.
        for role, stands_for in STANDS_FOR.items():
            cases += await _check(world, route, "b", role, lambda e, r=stands_for: e[r], failures)
    count("socket route x message x role", cases)
    assert not failures, "\n".join(failures)


async def test_outsiders_hear_nothing_of_what_is_said_in_the_cluster():
    world = await db(build_world)()
    a = world.a
    listeners = {}
    for role in ("outsider", "other_coordinator", "other_officer", "officer"):
        communicator, _code = await _connect("ws/forums/", world.user(role))
        for message in (
            {"type": "subscribe", "topic": a.topic.pk, "after": 0},
            {"type": "subscribe", "room": a.room.pk},
            {"type": "subscribe", "topic": a.conversation.pk, "after": 0},
        ):
            assert (await _answer(communicator, message))[0] == "not_found", role
        listeners[role] = communicator
    member, _code = await _connect("ws/forums/", a.follower)
    for topic in (a.topic, a.conversation):
        message = {"type": "post", "topic": topic.pk, "body": "Otra cosa"}
        assert (await _answer(member, message))[0] == "posted"
    for role, communicator in listeners.items():
        assert await communicator.receive_nothing(timeout=0.3), role
        await communicator.disconnect()
    await member.disconnect()
    count("socket eavesdroppers", len(listeners))


async def test_agency_observers_follow_the_forum_live_and_post_nothing():
    world = await db(build_world)()

    def observer_answer(expected: dict[str, str]) -> str:
        if expected["follower"] != expected["coordinator"]:
            return expected["coordinator"]  # the pairing's conversation: no party to it
        # Follows as a member does; posting is refused, saying why.
        return "not_allowed" if expected["follower"] == "posted" else expected["follower"]

    failures: list[str] = []
    cases = 0
    for route in SOCKETS:
        cases += await _check(world, route, "a", OBSERVER, observer_answer, failures)
    count("socket route x message x agency observer", cases)
    assert not failures, "\n".join(failures)


SITE_ORIGINS = {
    "PUBLIC_URL": "https://pioneros.example",
    "CSRF_TRUSTED_ORIGINS": ["https://app.pioneros.example", "https://*.agency.example"],
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
}


@pytest.mark.parametrize(
    ("origin", "extra", "opens"),
    [
        (b"http://testserver", [], True),  # the page's own origin
        (b"https://testserver", [], False),  # wrong scheme
        (b"http://testserver:8000", [], False),  # wrong port
        (b"https://testserver", [(b"x-forwarded-proto", b"https")], True),  # behind TLS proxy
        (b"http://testserver", [(b"x-forwarded-proto", b"https")], False),
        (b"https://pioneros.example", [], True),  # PUBLIC_URL
        (b"http://pioneros.example", [], False),
        (b"https://pioneros.example:444", [], False),
        (b"https://app.pioneros.example", [], True),  # CSRF_TRUSTED_ORIGINS
        (b"https://app.pioneros.example:8443", [], False),
        (b"https://desk.agency.example", [], True),  # a trusted wildcard
        (b"http://desk.agency.example", [], False),
        (b"https://agency.example.evil", [], False),
    ],
)
@pytest.mark.parametrize("route", sorted(SOCKETS))
async def test_only_the_sites_own_origins_open_a_socket(settings, route, origin, extra, opens):
    for name, value in SITE_ORIGINS.items():
        setattr(settings, name, value)
    member = await db(UserFactory)()
    headers = [(b"host", b"testserver"), (b"origin", origin), *extra]
    headers.append((b"cookie", await _session_cookie(member)))
    communicator = WebsocketCommunicator(application, f"/{route}", headers=headers)
    connected, code = await communicator.connect()
    assert connected is opens, (origin, extra, code)
    count("socket origins", 1)
    if connected:
        await communicator.disconnect()


async def test_a_host_outside_allowed_hosts_is_no_origin_of_ours():
    headers = [
        (b"host", b"rebound.example"),
        (b"origin", b"http://rebound.example"),
        (b"cookie", await _session_cookie(await db(UserFactory)())),
    ]
    communicator = WebsocketCommunicator(application, "/ws/forums/", headers=headers)
    assert not (await communicator.connect())[0]
