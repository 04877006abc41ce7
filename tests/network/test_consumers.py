"""The member's live channel: origin checked, session required, events after commit."""

import secrets

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from config.asgi import application
from core.consumers import NOT_SIGNED_IN
from network.services import memberships
from tests.factories import UserFactory, make_cluster

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")
HOST = (b"host", b"testserver")


@database_sync_to_async
def _session_cookie(client, user) -> bytes:
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def _socket(*headers):
    return WebsocketCommunicator(application, "/ws/me/", headers=[HOST, *headers])


async def test_anonymous_socket_is_closed_as_not_signed_in():
    communicator = _socket(ORIGIN)
    connected, _ = await communicator.connect()
    # Accepted, then closed: a refusal before accepting would reach a browser as 1006.
    assert connected
    closed = await communicator.receive_output()
    assert closed == {"type": "websocket.close", "code": NOT_SIGNED_IN}


async def test_foreign_origin_is_refused(client):
    user = await database_sync_to_async(UserFactory)()
    cookie = await _session_cookie(client, user)
    communicator = _socket((b"origin", b"https://evil.example.com"), (b"cookie", cookie))
    connected, _ = await communicator.connect()
    assert not connected


async def test_coordinator_receives_join_request_live_after_commit(client):
    coordinator = await database_sync_to_async(UserFactory)()
    cluster = await database_sync_to_async(make_cluster)(coordinator=coordinator)
    cookie = await _session_cookie(client, coordinator)
    communicator = _socket(ORIGIN, (b"cookie", cookie))
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello"}

    applicant = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(memberships.request_to_join)(
        cluster=cluster, user=applicant, role="follower"
    )
    event = await communicator.receive_json_from(timeout=5)
    assert event["type"] == "join_requested"
    assert event["url"] == f"/clusters/{cluster.slug}/manage/"
    await communicator.disconnect()


async def test_other_members_do_not_receive_someone_elses_events(client):
    coordinator = await database_sync_to_async(UserFactory)()
    bystander = await database_sync_to_async(UserFactory)()
    cluster = await database_sync_to_async(make_cluster)(coordinator=coordinator)
    communicator = _socket(ORIGIN, (b"cookie", await _session_cookie(client, bystander)))
    assert (await communicator.connect())[0]
    await communicator.receive_json_from()
    applicant = await database_sync_to_async(UserFactory)()
    await database_sync_to_async(memberships.request_to_join)(
        cluster=cluster, user=applicant, role="follower"
    )
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


@pytest.mark.redis
async def test_events_cross_the_redis_channel_layer(client, redis_url):
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": f"pioneros-test-{secrets.token_hex(4)}"},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        try:
            assert type(get_channel_layer()).__name__ == "RedisPubSubChannelLayer"
            coordinator = await database_sync_to_async(UserFactory)()
            cluster = await database_sync_to_async(make_cluster)(coordinator=coordinator)
            communicator = _socket(ORIGIN, (b"cookie", await _session_cookie(client, coordinator)))
            assert (await communicator.connect())[0]
            await communicator.receive_json_from()
            applicant = await database_sync_to_async(UserFactory)()
            await database_sync_to_async(memberships.request_to_join)(
                cluster=cluster, user=applicant, role="mentor"
            )
            assert (await communicator.receive_json_from(timeout=5))["type"] == "join_requested"
            await communicator.disconnect()
        finally:
            channel_layers.backends.clear()


async def test_garbled_frames_are_ignored_and_the_socket_stays_open(client):
    user = await database_sync_to_async(UserFactory)()
    communicator = _socket(ORIGIN, (b"cookie", await _session_cookie(client, user)))
    assert (await communicator.connect())[0]
    await communicator.receive_json_from()
    await communicator.send_to(text_data="not json")
    await communicator.send_to(text_data="[1, 2]")
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()
