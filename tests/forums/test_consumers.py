"""The forum socket with Channels' communicator: access, broadcasts, catch-up, bad input."""

import asyncio
import json
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from core.consumers import NOT_SIGNED_IN
from forums import services
from forums.consumers import MAX_FRAME
from network.models import Profile
from tests.forums.conftest import build_forum

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")
db = database_sync_to_async


@db
def _cookie(client, user) -> bytes:
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _socket(client, user, origin=ORIGIN):
    headers = [HOST, origin]
    if user is not None:
        headers.append((b"cookie", await _cookie(client, user)))
    communicator = WebsocketCommunicator(application, "/ws/forums/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


@db
def _setup():
    forum = build_forum()
    topic = services.start_topic(
        room=forum.room,
        author=forum.follower,
        title="Incoterms",
        body="FOB or CIF?",
        kind="question",
    )
    return forum, topic


async def test_anonymous_and_foreign_origin_are_refused(client):
    forum, _topic = await _setup()
    communicator, connected, _code = await _socket(client, None)
    assert connected  # then closed: a refusal before accepting would reach a browser as 1006
    closed = await communicator.receive_output()
    assert closed == {"type": "websocket.close", "code": NOT_SIGNED_IN}
    _c, connected, _code = await _socket(
        client, forum.mentor, (b"origin", b"https://evil.example")
    )
    assert not connected


async def test_non_member_cannot_subscribe_or_post(client):
    forum, topic = await _setup()
    communicator, connected, _ = await _socket(client, forum.outsider)
    assert connected
    await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": 0})
    assert (await communicator.receive_json_from())["code"] == "not_found"
    await communicator.send_json_to({"type": "post", "topic": topic.pk, "body": "let me in"})
    assert (await communicator.receive_json_from())["code"] == "not_found"
    await communicator.send_json_to({"type": "subscribe", "room": forum.room.pk})
    assert (await communicator.receive_json_from())["code"] == "not_found"
    assert await db(topic.posts.count)() == 1
    await communicator.disconnect()


async def test_member_receives_replies_made_elsewhere(client):
    forum, topic = await _setup()
    communicator, _connected, _ = await _socket(client, forum.mentor)
    await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": 1})
    assert (await communicator.receive_json_from())["type"] == "subscribed"
    await db(services.post_reply)(topic=topic, author=forum.coordinator, body="**FOB** usually")
    event = await communicator.receive_json_from(timeout=5)
    assert (event["type"], event["id"], event["topic"]) == ("post.created", 2, topic.pk)
    assert "<strong>FOB</strong>" in event["post"]["html"]
    await communicator.disconnect()


async def test_reconnect_catches_up_exactly_what_was_missed(client):
    forum, topic = await _setup()
    for i in range(5):
        await db(services.post_reply)(topic=topic, author=forum.mentor, body=f"reply {i}")
    communicator, _, _ = await _socket(client, forum.follower)
    await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": 3})
    received = [await communicator.receive_json_from() for _ in range(3)]
    assert [e["id"] for e in received] == [4, 5, 6]
    done = await communicator.receive_json_from()
    assert done == {"type": "subscribed", "topic": topic.pk, "last": 6, "complete": True}
    await db(services.post_reply)(topic=topic, author=forum.mentor, body="live again")
    assert (await communicator.receive_json_from(timeout=5))["id"] == 7
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_pages_reconnecting_together_share_one_read_and_an_edit_is_never_stale(
    client, monkeypatch
):
    """Pages with the same last id share one read of what they missed; a page reconnecting
    after an edit reads afresh and gets the edit."""
    from forums import realtime, selectors

    monkeypatch.setattr(realtime, "SHARED_FOR", 60.0)  # however slow the machine
    forum, topic = await _setup()
    reply = await db(services.post_reply)(topic=topic, author=forum.mentor, body="FOB, Santos")
    reads = []
    events_after = selectors.events_after
    monkeypatch.setattr(
        selectors, "events_after", lambda *a, **k: reads.append(a) or events_after(*a, **k)
    )

    async def missed(user) -> list[dict]:
        communicator, _, _ = await _socket(client, user)
        await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": 1})
        events = []
        while (message := await communicator.receive_json_from())["type"] != "subscribed":
            events.append(message)
        await communicator.disconnect()
        return events

    first, second = await missed(forum.follower), await missed(forum.coordinator)
    assert [e["id"] for e in first] == [e["id"] for e in second] == [2]
    assert len(reads) == 1
    await db(services.edit_post)(post=reply, by=forum.mentor, body="CIF, Santos")
    third = await missed(forum.follower)
    assert [e["id"] for e in third] == [2, 3]
    assert all("CIF, Santos" in e["post"]["html"] for e in third)
    assert len(reads) == 2
    # Nothing missed, nothing read.
    await _subscribed(client, forum.mentor, topic, after=3)
    assert len(reads) == 2


async def test_posting_over_the_socket_uses_the_service(client):
    forum, topic = await _setup()
    communicator, _, _ = await _socket(client, forum.mentor)
    await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": 1})
    await communicator.receive_json_from()
    await communicator.send_json_to({"type": "post", "topic": topic.pk, "body": "CIF", "ref": 9})
    messages = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
    kinds = {m["type"] for m in messages}
    assert kinds == {"posted", "post.created"}
    assert await db(topic.posts.count)() == 2
    await communicator.send_json_to({"type": "post", "topic": topic.pk, "body": "   "})
    assert (await communicator.receive_json_from())["code"] == "empty"
    await communicator.disconnect()


async def test_a_reply_over_the_socket_names_its_author_as_they_are_now(client):
    forum, topic = await _setup()
    communicator, _, _ = await _socket(client, forum.mentor)
    await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": 1})
    await communicator.receive_json_from()

    async def reply(body: str) -> dict:
        await communicator.send_json_to({"type": "post", "topic": topic.pk, "body": body})
        messages = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
        return next(m for m in messages if m["type"] == "post.created")

    assert (await reply("FOB"))["post"]["author"] == forum.mentor.profile.display_name
    # Renamed on another page while this socket stays open.
    await db(Profile.objects.filter(user=forum.mentor).update)(display_name="Marta Exportadora")
    assert (await reply("CIF"))["post"]["author"] == "Marta Exportadora"
    await communicator.disconnect()


async def test_bad_messages_get_errors_and_the_socket_stays(client):
    forum, topic = await _setup()
    communicator, _, _ = await _socket(client, forum.mentor)
    cases = [
        ("not json", "bad_json"),
        (json.dumps([1, 2]), "bad_message"),
        (json.dumps({"type": "dance"}), "unknown_type"),
        (json.dumps({"type": "subscribe", "topic": "1"}), "bad_message"),
        (json.dumps({"type": "post", "topic": topic.pk, "body": "x" * MAX_FRAME}), "too_large"),
        (json.dumps({"type": "subscribe", "topic": 999999, "after": 0}), "not_found"),
    ]
    for frame, code in cases:
        await communicator.send_to(text_data=frame)
        assert (await communicator.receive_json_from())["code"] == code, frame
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_forum_page_hears_of_new_topics(client):
    forum, _topic = await _setup()
    communicator, _, _ = await _socket(client, forum.mentor)
    await communicator.send_json_to({"type": "subscribe", "room": forum.room.pk})
    assert (await communicator.receive_json_from())["type"] == "subscribed"
    await db(services.start_topic)(
        room=forum.room, author=forum.coordinator, title="Fair in Madrid", body="Who goes?"
    )
    event = await communicator.receive_json_from(timeout=5)
    assert (event["type"], event["title"], event["topics"]) == (
        "topic.created",
        "Fair in Madrid",
        2,
    )
    await communicator.disconnect()


async def test_notification_badge_updates_live(client):
    forum, topic = await _setup()
    headers = [HOST, ORIGIN, (b"cookie", await _cookie(client, forum.follower))]
    member = WebsocketCommunicator(application, "/ws/me/", headers=headers)
    assert (await member.connect())[0]
    assert (await member.receive_json_from())["type"] == "hello"
    await db(services.post_reply)(topic=topic, author=forum.mentor, body="See the chamber.")
    assert await member.receive_json_from(timeout=5) == {"type": "notifications", "unread": 1}
    await member.disconnect()


async def test_edits_hiding_and_accepting_arrive_live_without_hidden_text(client):
    forum, topic = await _setup()
    answer = await db(services.post_reply)(topic=topic, author=forum.mentor, body="Secret tip")
    communicator, _, _ = await _socket(client, forum.follower)
    await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": 2})
    await communicator.receive_json_from()
    await db(services.edit_post)(post=answer, by=forum.mentor, body="Better tip")
    await db(services.accept_answer)(post=answer, by=forum.follower)
    await db(services.hide_post)(post=answer, by=forum.coordinator, reason="spam")
    events = [await communicator.receive_json_from(timeout=5) for _ in range(3)]
    assert [(e["type"], e["id"]) for e in events] == [
        ("post.edited", 3),
        ("answer.accepted", 4),
        ("post.hidden", 5),
    ]
    assert "Better tip" in events[0]["post"]["html"] and events[0]["post"]["edited"]
    assert events[1]["accepted_post"] == answer.pk
    assert "html" not in events[2]["post"] and events[2]["post"]["hidden"]
    assert "spam" not in json.dumps(events[2])
    await communicator.disconnect()


async def _subscribed(client, user, topic, after):
    communicator, connected, _ = await _socket(client, user)
    assert connected
    await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": after})
    assert (await communicator.receive_json_from())["type"] == "subscribed"
    return communicator


async def test_suspended_member_stops_receiving_at_once(client):
    from network import services as network
    from network.models import Membership

    forum, topic = await _setup()
    communicator = await _subscribed(client, forum.mentor, topic, after=1)
    await communicator.send_json_to({"type": "subscribe", "room": forum.room.pk})
    assert (await communicator.receive_json_from())["type"] == "subscribed"
    membership = await db(Membership.objects.get)(user=forum.mentor, cluster=forum.cluster)
    await db(network.suspend_member)(membership=membership, by=forum.coordinator)
    revoked = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
    assert sorted(revoked, key=str) == sorted(
        [{"type": "revoked", "topic": topic.pk}, {"type": "revoked", "room": forum.room.pk}],
        key=str,
    )
    await db(services.post_reply)(topic=topic, author=forum.coordinator, body="Secret plan")
    await db(services.start_topic)(
        room=forum.room, author=forum.coordinator, title="Members only", body="Hush"
    )
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.send_json_to({"type": "post", "topic": topic.pk, "body": "still here?"})
    assert (await communicator.receive_json_from())["code"] == "not_found"
    assert await db(topic.posts.count)() == 2
    await communicator.disconnect()


async def test_a_suspension_while_a_room_subscribe_checks_access_is_not_missed(
    client, monkeypatch
):
    """Suspended between the room's access check and the join: the room is revoked, and the
    forum's new topics never reach the former member."""
    from core.consumers import in_database_thread
    from forums import access
    from forums.consumers import ForumConsumer
    from forums.models import Room
    from network import services as network
    from network.models import Membership

    forum, _ = await _setup()

    @in_database_thread
    def check_then_suspend(consumer, room_id):
        allowed = access.can_follow(consumer._fresh_user(), Room.objects.get(pk=room_id))
        membership = Membership.objects.get(user=forum.mentor, cluster=forum.cluster)
        network.suspend_member(membership=membership, by=forum.coordinator)
        return allowed

    monkeypatch.setattr(ForumConsumer, "_may_write_room", check_then_suspend)
    communicator, connected, _ = await _socket(client, forum.mentor)
    assert connected
    await communicator.send_json_to({"type": "subscribe", "room": forum.room.pk})
    answers = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
    assert answers == [
        {"type": "subscribed", "room": forum.room.pk},
        {"type": "revoked", "room": forum.room.pk},
    ]
    await db(services.start_topic)(
        room=forum.room, author=forum.coordinator, title="Members only", body="Hush"
    )
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_readers_who_cannot_follow_a_moved_topic_stop_receiving_it(client):
    from tests.factories import add_member, make_cluster

    forum, topic = await _setup()
    other = await db(make_cluster)(coordinator=forum.coordinator, name="Avocado exporters")
    await db(add_member)(other, forum.follower)
    target = await db(services.forum_of)(other)
    mentor = await _subscribed(client, forum.mentor, topic, after=1)
    follower = await _subscribed(client, forum.follower, topic, after=1)
    watcher, _, _ = await _socket(client, forum.coordinator)
    await watcher.send_json_to({"type": "subscribe", "room": forum.room.pk})
    assert (await watcher.receive_json_from())["type"] == "subscribed"

    await db(services.move_topic)(topic=topic, by=forum.coordinator, to=target)
    assert (await mentor.receive_json_from(timeout=5))["type"] == "topic.updated"
    assert await mentor.receive_json_from(timeout=5) == {"type": "revoked", "topic": topic.pk}
    left = await watcher.receive_json_from(timeout=5)
    assert left == {"type": "topic.moved", "room": forum.room.pk, "topic": topic.pk, "topics": 0}

    await db(services.post_reply)(topic=topic, author=forum.coordinator, body="New home")
    assert (await follower.receive_json_from(timeout=5))["type"] == "topic.updated"
    assert (await follower.receive_json_from(timeout=5))["type"] == "post.created"
    assert await mentor.receive_nothing(timeout=0.5)
    for communicator in (mentor, follower, watcher):
        await communicator.disconnect()


async def test_an_event_that_overtakes_another_does_not_lose_it(client, monkeypatch):
    from channels.layers import get_channel_layer

    from forums import realtime

    forum, topic = await _setup()
    communicator = await _subscribed(client, forum.mentor, topic, after=1)
    held = []  # what other processes would have sent, held back to reorder
    monkeypatch.setattr(realtime, "send", lambda group, message: held.append((group, message)))
    for body in ["second", "third"]:
        await db(services.post_reply)(topic=topic, author=forum.coordinator, body=body)
    topic_events = [(g, m) for g, m in held if g == realtime.topic_group(topic.pk)]
    assert [m["event"]["id"] for _g, m in topic_events] == [2, 3]
    layer = get_channel_layer()
    for group, message in reversed(topic_events):  # 3 arrives before 2
        await layer.group_send(group, message)
    received = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
    assert [(e["id"], "third" in e["post"]["html"]) for e in received] == [(2, False), (3, True)]
    assert await communicator.receive_nothing(timeout=0.3)  # the late 2 is not sent again
    await communicator.disconnect()


async def test_a_live_event_reaches_the_page_while_the_database_thread_is_busy(
    client, monkeypatch
):
    """Forwarding needs no database: slow saves elsewhere in the process, in Django's thread
    and in every one of the sockets' database threads, delay no reader."""
    from channels.layers import get_channel_layer

    from core import consumers
    from forums import realtime

    forum, topic = await _setup()
    communicator = await _subscribed(client, forum.mentor, topic, after=1)
    held = []
    monkeypatch.setattr(realtime, "send", lambda group, message: held.append((group, message)))
    await db(services.post_reply)(topic=topic, author=forum.coordinator, body="CIF, insured")
    group, message = next((g, m) for g, m in held if g == realtime.topic_group(topic.pk))
    release = threading.Event()
    loop = asyncio.get_running_loop()
    busy = [asyncio.ensure_future(sync_to_async(release.wait)())] + [
        loop.run_in_executor(consumers._database_threads, release.wait)
        for _ in range(consumers.DATABASE_THREADS)
    ]
    try:
        await asyncio.sleep(0.1)
        await get_channel_layer().group_send(group, message)
        event = await communicator.receive_json_from(timeout=2)
    finally:
        release.set()
        await asyncio.gather(*busy)
    assert (event["id"], "CIF, insured" in event["post"]["html"]) == (2, True)
    await communicator.disconnect()


async def test_malformed_unsubscribe_gets_an_error_and_the_socket_stays(client):
    forum, topic = await _setup()
    communicator = await _subscribed(client, forum.mentor, topic, after=1)
    for frame in [
        {"type": "unsubscribe", "topic": [1]},
        {"type": "unsubscribe", "room": {"id": 1}},
        {"type": "unsubscribe", "topic": True},
        {"type": "subscribe", "topic": True, "after": 0},
    ]:
        await communicator.send_json_to(frame)
        assert (await communicator.receive_json_from())["code"] == "bad_message", frame
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.send_json_to({"type": "unsubscribe", "topic": topic.pk})
    await db(services.post_reply)(topic=topic, author=forum.coordinator, body="gone")
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_frame_limit_counts_bytes_not_characters(client):
    forum, topic = await _setup()
    communicator = await _subscribed(client, forum.mentor, topic, after=1)
    body = "é" * (MAX_FRAME // 2 + 100)  # fewer characters than the limit, more bytes
    frame = json.dumps({"type": "post", "topic": topic.pk, "body": body}, ensure_ascii=False)
    assert len(frame) < MAX_FRAME < len(frame.encode())
    await communicator.send_to(text_data=frame)
    assert (await communicator.receive_json_from())["code"] == "too_large"
    assert await db(topic.posts.count)() == 1
    await communicator.disconnect()
