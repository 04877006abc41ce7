"""The process's hub: one group subscription per topic, one encoding per event, one write
per local socket, and nothing more once the last socket leaves or access is revoked."""

import json

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config.asgi import application
from core.hub import hub
from core.realtime import MEMBERS
from forums import consumers, realtime, services
from tests.forums.test_consumers import _setup, _subscribed, db

pytestmark = pytest.mark.django_db(transaction=True)

READERS = 5


def _count_calls(monkeypatch, layer, name: str, calls: list) -> None:
    original = getattr(layer, name)

    async def counted(group, channel):
        calls.append(group)
        return await original(group, channel)

    monkeypatch.setattr(layer, name, counted)


async def _readers(client, forum, topic) -> list:
    users = [forum.mentor, forum.follower, forum.coordinator]
    return [await _subscribed(client, users[i % 3], topic, after=1) for i in range(READERS)]


async def _redis_subscribers(group: str) -> int | None:
    """Clients subscribed in Redis to the group's channel, when the layer is Redis."""
    config = settings.CHANNEL_LAYERS["default"]
    if not config["BACKEND"].endswith("RedisPubSubChannelLayer"):
        return None
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(config["CONFIG"]["hosts"][0])
    try:
        channel = f"{config['CONFIG']['prefix']}__group__{group}"
        [(_name, count)] = await client.pubsub_numsub(channel)
        return count
    finally:
        await client.aclose()


async def test_many_local_readers_share_one_subscription_and_leave_it_with_the_last(
    client, monkeypatch
):
    layer = get_channel_layer()
    added, discarded = [], []
    _count_calls(monkeypatch, layer, "group_add", added)
    _count_calls(monkeypatch, layer, "group_discard", discarded)
    forum, topic = await _setup()
    group = realtime.topic_group(topic.pk)
    readers = await _readers(client, forum, topic)

    assert added.count(group) == 1
    assert len(hub().groups[group]) == READERS
    assert await _redis_subscribers(group) in (None, 1)

    for reader in readers[:-1]:
        await reader.disconnect()
    assert discarded.count(group) == 0
    assert len(hub().groups[group]) == 1
    await readers[-1].disconnect()
    assert discarded.count(group) == 1
    assert group not in hub().groups
    assert hub().receiving is None  # nothing left to hear: the process holds nothing open
    assert await _redis_subscribers(group) in (None, 0)


async def test_an_event_is_encoded_once_for_every_reader(client, monkeypatch):
    forum, topic = await _setup()
    readers = await _readers(client, forum, topic)
    encoded = []
    dumps = json.dumps

    def counting_dumps(value, *args, **kwargs):
        text = dumps(value, *args, **kwargs)
        if isinstance(value, dict) and value.get("topic") == topic.pk and "id" in value:
            encoded.append(text)
        return text

    monkeypatch.setattr(realtime.json, "dumps", counting_dumps)
    monkeypatch.setattr(
        consumers.ForumConsumer,
        "encode_json",
        classmethod(lambda cls, content: pytest.fail("a reader encoded the event again")),
    )
    await db(services.post_reply)(topic=topic, author=forum.coordinator, body="FOB, Santos")
    frames = [await reader.receive_from(timeout=5) for reader in readers]

    assert len(encoded) == 1
    assert frames == encoded * READERS
    assert json.loads(frames[0])["id"] == 2
    for reader in readers:
        await reader.disconnect()


async def test_a_revoked_member_is_dropped_from_the_hub_and_hears_nothing_more(client):
    from network import services as network
    from network.models import Membership

    forum, topic = await _setup()
    mentor = await _subscribed(client, forum.mentor, topic, after=1)
    follower = await _subscribed(client, forum.follower, topic, after=1)
    group = realtime.topic_group(topic.pk)
    assert len(hub().groups[group]) == 2

    membership = await db(Membership.objects.get)(user=forum.mentor, cluster=forum.cluster)
    await db(network.suspend_member)(membership=membership, by=forum.coordinator)
    assert await mentor.receive_json_from(timeout=5) == {"type": "revoked", "topic": topic.pk}
    assert len(hub().groups[group]) == 1

    await db(services.post_reply)(topic=topic, author=forum.coordinator, body="Still here")
    assert (await follower.receive_json_from(timeout=5))["id"] == 2
    assert await mentor.receive_nothing(timeout=0.5)
    for communicator in (mentor, follower):
        await communicator.disconnect()


async def test_members_share_one_subscription_and_each_hears_only_their_own(client, monkeypatch):
    """Opening a socket costs no subscription of the member's own: every member's access
    changes reach the process on one group, and the hub tells that member's sockets alone."""
    from network import services as network
    from network.models import Membership

    layer = get_channel_layer()
    added, discarded = [], []
    _count_calls(monkeypatch, layer, "group_add", added)
    _count_calls(monkeypatch, layer, "group_discard", discarded)
    forum, topic = await _setup()
    mentor = await _subscribed(client, forum.mentor, topic, after=1)
    follower = await _subscribed(client, forum.follower, topic, after=1)

    assert sorted(added) == sorted([MEMBERS, realtime.topic_group(topic.pk)])
    assert await _redis_subscribers(MEMBERS) in (None, 1)
    membership = await db(Membership.objects.get)(user=forum.mentor, cluster=forum.cluster)
    await db(network.suspend_member)(membership=membership, by=forum.coordinator)
    assert await mentor.receive_json_from(timeout=5) == {"type": "revoked", "topic": topic.pk}
    assert await follower.receive_nothing(timeout=0.5)

    await mentor.disconnect()
    assert MEMBERS not in discarded  # the follower's socket still needs it
    await follower.disconnect()
    assert MEMBERS in discarded
    assert await _redis_subscribers(MEMBERS) in (None, 0)


async def test_an_event_for_one_member_reaches_no_other_members_page(client):
    """Every member's events reach the process on one group: the hub must still hand each
    to that member's pages alone."""
    from core import realtime as core_realtime
    from tests.forums.test_consumers import HOST, ORIGIN, _cookie

    forum, _topic = await _setup()
    pages = {}
    for user in (forum.mentor, forum.follower):
        cookie = (b"cookie", await _cookie(client, user))
        page = WebsocketCommunicator(application, "/ws/me/", headers=[HOST, ORIGIN, cookie])
        assert (await page.connect())[0]
        assert await page.receive_json_from() == {"type": "hello"}
        pages[user.pk] = page
    event = {"type": "notifications", "unread": 3}
    await db(core_realtime.send_to_members_on_commit)([forum.mentor.pk], event)

    assert await pages[forum.mentor.pk].receive_json_from(timeout=5) == event
    assert await pages[forum.follower.pk].receive_nothing(timeout=0.5)
    for page in pages.values():
        await page.disconnect()


async def _held_events(monkeypatch, forum, topic, bodies) -> list[dict]:
    """Events of new replies, as the layer would bring them to the hub, not yet delivered."""
    held = []
    monkeypatch.setattr(realtime, "send", lambda group, message: held.append((group, message)))
    for body in bodies:
        await db(services.post_reply)(topic=topic, author=forum.coordinator, body=body)
    return [m for g, m in held if g == realtime.topic_group(topic.pk)]


def _socket_of(topic) -> consumers.ForumConsumer:
    [consumer] = hub().groups[realtime.topic_group(topic.pk)]
    return consumer


async def test_events_heard_during_a_sockets_turn_follow_it_in_order(client, monkeypatch):
    forum, topic = await _setup()
    reader = await _subscribed(client, forum.mentor, topic, after=1)
    events = await _held_events(monkeypatch, forum, topic, ["second", "third"])
    consumer = _socket_of(topic)

    async with consumer.turn:  # as while it reads a catch-up from the database
        for message in events:
            await hub().deliver(message)
        assert await reader.receive_nothing(timeout=0.2)
    received = [await reader.receive_json_from(timeout=5) for _ in events]
    assert [event["id"] for event in received] == [2, 3]
    await reader.disconnect()


async def test_a_socket_too_far_behind_is_closed_to_reconnect_and_catch_up(client, monkeypatch):
    monkeypatch.setattr(consumers, "MAX_HELD", 1)
    forum, topic = await _setup()
    reader = await _subscribed(client, forum.mentor, topic, after=1)
    events = await _held_events(monkeypatch, forum, topic, ["second", "third"])
    consumer = _socket_of(topic)

    async with consumer.turn:
        for message in events:
            await hub().deliver(message)
    closed = await reader.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": consumers.FELL_BEHIND}
