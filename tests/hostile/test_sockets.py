"""Hostile WebSocket traffic: floods, frames that break parsers, odd origins and field values.

tests/forums/test_consumers.py already covers malformed JSON, unknown types, the 32 KB
frame limit and a foreign origin; this adds the per-connection flood limit, what a flood
must not do to other sockets, and inputs those tests leave out.
"""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from core import throttle
from forums import services
from forums.models import Post
from tests.forums.conftest import build_forum
from tests.reporting import report

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")
db = database_sync_to_async


@pytest.fixture
def clock(monkeypatch):
    """Time stands still unless a test moves it, so budgets refill only when told to."""
    now = [1000.0]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    return now


@db
def _cookie(client, user) -> bytes:
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _socket(client, user, path="/ws/forums/", origin=ORIGIN) -> WebsocketCommunicator:
    headers = [HOST, origin, (b"cookie", await _cookie(client, user))]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect()
    assert connected
    if path == "/ws/me/":
        assert await communicator.receive_json_from() == {"type": "hello"}
    return communicator


@db
def _setup():
    forum = build_forum()
    topic = services.start_topic(
        room=forum.room, author=forum.follower, title="Incoterms", body="FOB?", kind="question"
    )
    return forum, topic


async def _subscribed(client, user, topic) -> WebsocketCommunicator:
    communicator = await _socket(client, user)
    await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": 1})
    assert (await communicator.receive_json_from())["type"] == "subscribed"
    return communicator


async def _still_hears_and_posts(communicator, topic, body: str) -> None:
    await communicator.send_json_to({"type": "post", "topic": topic.pk, "body": body})
    kinds = {(await communicator.receive_json_from(timeout=5))["type"] for _ in range(2)}
    assert kinds == {"posted", "post.created"}


async def test_a_flood_is_refused_then_closed_while_the_same_group_keeps_working(client, clock):
    forum, topic = await _setup()
    flooder = await _subscribed(client, forum.mentor, topic)  # one subscribe spent
    neighbour = await _subscribed(client, forum.follower, topic)

    for _ in range(throttle.BURST - 1):
        await flooder.send_json_to({"type": "ping"})
        assert await flooder.receive_json_from() == {"type": "pong"}
    refused = 0
    for _ in range(throttle.PATIENCE):
        await flooder.send_json_to({"type": "post", "topic": topic.pk, "body": "spam"})
        answer = await flooder.receive_json_from()
        assert answer["type"] == "error" and answer["code"] == "rate_limited"
        refused += 1
    assert await db(topic.posts.count)() == 1, "refused posts were written"

    # The neighbour in the same topic group is untouched, and hears nothing of the flood.
    await _still_hears_and_posts(neighbour, topic, "still here")
    assert (await flooder.receive_json_from(timeout=5))["type"] == "post.created"

    await flooder.send_json_to({"type": "ping"})
    assert (await flooder.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4429}
    await _still_hears_and_posts(neighbour, topic, "and still here")
    await neighbour.disconnect()
    report("hostile inputs tried", throttle.BURST + refused + 1)
    report("hostile inputs rendered or refused harmlessly", throttle.BURST + refused + 1)


async def test_the_budget_refills_with_time(client, clock):
    forum, topic = await _setup()
    communicator = await _subscribed(client, forum.mentor, topic)
    for _ in range(throttle.BURST - 1):
        await communicator.send_json_to({"type": "ping"})
        await communicator.receive_json_from()
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["code"] == "rate_limited"
    clock[0] += 1.0  # three more messages' worth
    for _ in range(int(throttle.PER_SECOND)):
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["code"] == "rate_limited"
    await communicator.disconnect()


async def test_member_channel_flood_is_closed_and_other_pages_keep_their_channel(client, clock):
    forum, _topic = await _setup()
    flooder = await _socket(client, forum.mentor, "/ws/me/")
    other_page = await _socket(client, forum.mentor, "/ws/me/")
    for _ in range(throttle.BURST):
        await flooder.send_json_to({"type": "ping"})
        assert await flooder.receive_json_from() == {"type": "pong"}
    for _ in range(throttle.PATIENCE):
        await flooder.send_json_to({"type": "ping"})
    assert await flooder.receive_nothing(timeout=0.2)
    await flooder.send_json_to({"type": "ping"})
    assert (await flooder.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4429}
    await other_page.send_json_to({"type": "ping"})
    assert await other_page.receive_json_from() == {"type": "pong"}
    await other_page.disconnect()


# Frames the earlier tests leave out; each must get an error (forum socket) and leave the
# socket answering.
NESTED = "[" * 20_000
HOSTILE_FRAMES = [
    (NESTED, "bad_json"),
    ('{"type": "ping"' + "," * 5000, "bad_json"),
    ('{"type": "ping", "type": "post"}', "bad_message"),
    ("NaN", "bad_message"),
    ("1e999999", "bad_message"),
    ("null", "bad_message"),
    ('{"type": null}', "bad_message"),
    ('{"type": ["subscribe"]}', "bad_message"),
    ('{"type": "__init__"}', "unknown_type"),
    ('{"type": "forum.event", "event": {"topic": 1, "id": 99}}', "unknown_type"),
    ('{"type": "forum_access"}', "unknown_type"),
    ('{"type": "SUBSCRIBE", "topic": 1, "after": 0}', "unknown_type"),
    ('{"type": "subscribe", "topic": 1.0, "after": 0}', "bad_message"),
    ('{"type": "subscribe", "topic": true, "after": 0}', "bad_message"),
    ('{"type": "subscribe", "topic": -1, "after": 0}', "not_found"),
    ('{"type": "subscribe", "topic": 99999999999999999999999, "after": 0}', "not_found"),
    ('{"type": "subscribe", "topic": -99999999999999999999999, "after": 0}', "not_found"),
    ('{"type": "subscribe", "topic": TOPIC, "after": -1}', "bad_message"),
    ('{"type": "subscribe", "room": "1"}', "not_found"),
    ('{"type": "subscribe", "room": 99999999999999999999999}', "not_found"),
    ('{"type": "unsubscribe", "topic": {"$gt": 0}}', "bad_message"),
    ('{"type": "post", "topic": TOPIC, "body": ["x"]}', "bad_message"),
    ('{"type": "post", "topic": TOPIC, "body": null}', "bad_message"),
    ('{"type": "post", "topic": TOPIC, "body": "\\u0000\\u0000"}', "empty"),
    ('{"type": "post", "topic": TOPIC, "body": "' + "x" * 20_001 + '"}', "too_long"),
    ('{"type": "post", "topic": 99999999999999999999999, "body": "x"}', "not_found"),
]


async def test_hostile_frames_get_errors_and_the_socket_stays(client, clock):
    forum, topic = await _setup()
    communicator = await _socket(client, forum.mentor)
    tried = 0
    for frame, code in HOSTILE_FRAMES:
        clock[0] += 10  # a fresh budget: this test is about content, not rate
        await communicator.send_to(text_data=frame.replace("TOPIC", str(topic.pk)))
        answer = await communicator.receive_json_from(timeout=5)
        assert (answer["type"], answer.get("code")) == ("error", code), frame[:80]
        tried += 1
    await communicator.send_to(bytes_data=b"\x00\xff" * 10)
    assert (await communicator.receive_json_from())["code"] == "too_large"
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    assert await db(topic.posts.count)() == 1
    await communicator.disconnect()
    report("hostile inputs tried", tried + 1)
    report("hostile inputs rendered or refused harmlessly", tried + 1)


@pytest.mark.parametrize(
    ("frame", "stored"),
    [
        ('{"type": "post", "topic": TOPIC, "body": "FOB\\u0000 CIF"}', "FOB CIF"),
        ('{"type": "post", "topic": TOPIC, "body": "FOB \\ud800 CIF"}', "FOB \ufffd CIF"),
    ],
)
async def test_characters_no_database_stores_are_dropped_not_a_crash(client, frame, stored):
    forum, topic = await _setup()
    communicator = await _subscribed(client, forum.mentor, topic)
    await communicator.send_to(text_data=frame.replace("TOPIC", str(topic.pk)))
    answers = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
    posted = next(answer for answer in answers if answer["type"] == "posted")
    assert await db(lambda: Post.objects.get(pk=posted["post"]).body)() == stored
    await communicator.disconnect()


async def test_member_channel_ignores_frames_it_cannot_read(client):
    forum, _topic = await _setup()
    communicator = await _socket(client, forum.mentor, "/ws/me/")
    for frame in ["[" * 1000, "x" * 5000, json.dumps({"type": "ping", "pad": "x" * 2000})]:
        await communicator.send_to(text_data=frame)
    await communicator.send_to(bytes_data=b"\x00")
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.parametrize(
    "origin",
    [
        None,
        b"null",
        b"http://testserver.evil.example",
        b"http://evil.example",
        b"http://testserver@evil.example",
        b"http://evil.example#testserver",
        b"file://",
        b"http://evil.example/http://testserver",
        b"https://testserver",  # the right host by the wrong scheme
        b"http://testserver:9999",  # the right host on another port
        b"http://localhost",  # an allowed host, but not the one the page came from
        b"ws://testserver",
    ],
)
@pytest.mark.parametrize("path", ["/ws/forums/", "/ws/me/"])
async def test_foreign_and_odd_origins_are_refused(client, path, origin):
    forum, _topic = await _setup()
    headers = [HOST, (b"cookie", await _cookie(client, forum.mentor))]
    if origin is not None:
        headers.append((b"origin", origin))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect()
    assert not connected
    report("hostile inputs tried", 1)
    report("hostile inputs rendered or refused harmlessly", 1)


@pytest.mark.parametrize("path", ["/ws/forums/", "/ws/me/"])
async def test_forged_or_stale_session_cookies_are_refused(client, path):
    forum, _topic = await _setup()
    cookie = await _cookie(client, forum.mentor)
    await db(client.logout)()  # the session is gone from the store
    for forged in [cookie, b"sessionid=" + b"a" * 32, b"sessionid=../../etc/passwd"]:
        headers = [HOST, ORIGIN, (b"cookie", forged)]
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _code = await communicator.connect()
        assert connected, forged  # accepted, then closed as not signed in
        assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
