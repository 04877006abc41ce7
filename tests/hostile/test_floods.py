"""One member flooding: posts limited per member across page, API and socket; sockets capped.

A per-socket budget alone let 40 replies through the API in about a second, and one member
could open 60 forum sockets, each with its own allowance (docs/realtime.md, "Limits").
"""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from config.asgi import application
from core import consumers, throttle
from core.errors import DomainError
from forums import services
from tests.forums.conftest import build_forum
from tests.reporting import report

DEFAULT_LIMIT = 10  # config/settings.py, POSTS_PER_MINUTE; the test settings raise it
SITE = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
db = database_sync_to_async


@pytest.fixture
def wall(monkeypatch, settings):
    """The production limit, and the clock the per-member rates read, standing still unless
    a test moves it."""
    settings.POSTS_PER_MINUTE = DEFAULT_LIMIT
    now = [1_000_000.0]
    monkeypatch.setattr(throttle, "_wall", lambda: now[0])
    return now


def _setup():
    forum = build_forum()
    topic = services.start_topic(room=forum.room, author=forum.follower, title="FOB?", body="Q")
    return forum, topic


def _api_post(client, topic, body):
    return client.post(
        reverse("forums:api_topic_posts", args=[topic.pk]),
        data=json.dumps({"body": body}),
        content_type="application/json",
    )


def _use_up(forum, topic) -> None:
    for number in range(settings.POSTS_PER_MINUTE):
        services.post_reply(topic=topic, author=forum.mentor, body=f"reply {number}")


@pytest.mark.django_db
def test_forty_api_replies_in_a_second_stop_at_the_members_limit(client, wall):
    forum, topic = _setup()
    client.force_login(forum.mentor)
    answers = [_api_post(client, topic, f"reply {n}") for n in range(40)]
    statuses = [answer.status_code for answer in answers]
    limit = settings.POSTS_PER_MINUTE
    assert statuses == [201] * limit + [429] * (40 - limit)
    refusal = answers[-1].json()
    assert refusal["error"] == "too_many_posts" and "wait" in refusal["message"]
    assert topic.posts.filter(author=forum.mentor).count() == limit
    report("hostile inputs tried", 40)
    report("hostile inputs rendered or refused harmlessly", 40)


@pytest.mark.django_db
def test_the_limit_is_the_members_whichever_edge_they_post_by(client, wall):
    forum, topic = _setup()
    _use_up(forum, topic)  # through the service, as the socket does
    client.force_login(forum.mentor)
    assert _api_post(client, topic, "by the API").status_code == 429
    page = client.post(reverse("forums:reply", args=[topic.pk]), {"body": "by the page"})
    assert [str(m) for m in get_messages(page.wsgi_request)] == [
        str(services.TooManyPosts().message)
    ]
    new_topic = client.post(
        reverse("forums:new_topic", args=[forum.room.pk]), {"title": "Another", "body": "x"}
    )
    assert new_topic.status_code == 200  # the form again, with the reason
    assert "wait a moment" in new_topic.content.decode()
    assert topic.posts.filter(author=forum.mentor).count() == settings.POSTS_PER_MINUTE
    assert forum.room.topics.count() == 1


@pytest.mark.django_db
def test_the_allowance_comes_back_as_the_minute_passes_and_others_are_not_held(wall):
    forum, topic = _setup()
    _use_up(forum, topic)
    with pytest.raises(services.TooManyPosts):
        services.post_reply(topic=topic, author=forum.mentor, body="one more")
    services.post_reply(topic=topic, author=forum.coordinator, body="someone else")
    wall[0] += 120  # once the minute has passed, the whole allowance is back
    for number in range(settings.POSTS_PER_MINUTE):
        services.post_reply(topic=topic, author=forum.mentor, body=f"later {number}")


@pytest.mark.django_db
def test_a_refused_post_does_not_count_against_the_member(wall):
    forum, topic = _setup()
    for _ in range(settings.POSTS_PER_MINUTE * 2):
        with pytest.raises(DomainError):
            services.post_reply(topic=topic, author=forum.mentor, body="   ")
    _use_up(forum, topic)  # empty posts, refused, used none of the allowance


@db
def _cookie(client, user) -> tuple[bytes, bytes]:
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def _open(path: str, cookie) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(application, path, headers=[*SITE, cookie])
    connected, _ = await communicator.connect()
    return communicator, connected


@pytest.mark.django_db(transaction=True)
async def test_the_socket_says_when_the_members_posting_limit_is_reached(client, wall):
    forum, topic = await db(_setup)()
    await db(_use_up)(forum, topic)
    socket, connected = await _open("/ws/forums/", await _cookie(client, forum.mentor))
    assert connected
    await socket.send_json_to({"type": "post", "topic": topic.pk, "body": "and more"})
    answer = await socket.receive_json_from(timeout=5)
    assert (answer["type"], answer["code"]) == ("error", "too_many_posts")
    assert answer["message"] == str(services.TooManyPosts().message)
    await socket.send_json_to({"type": "ping"})  # the socket stays open
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/forums/", "/ws/me/"])
async def test_sockets_beyond_the_cap_are_told_and_closed_and_a_freed_place_opens(client, path):
    forum, _topic = await db(_setup)()
    cookie = await _cookie(client, forum.mentor)
    held = []
    for _ in range(consumers.MAX_SOCKETS_PER_MEMBER):
        socket, connected = await _open(path, cookie)
        assert connected
        held.append(socket)
    extra, connected = await _open(path, cookie)
    assert connected  # accepted, so the page hears why, then closed
    answer = await extra.receive_json_from(timeout=5)
    assert (answer["type"], answer["code"]) == ("error", "too_many_sockets")
    assert await extra.receive_output(timeout=5) == {"type": "websocket.close", "code": 4429}

    other, connected = await _open(path, await _cookie(Client(), forum.follower))
    assert connected  # another member is not held by this one's sockets
    await held.pop().disconnect()
    again, connected = await _open(path, cookie)
    assert connected
    if path == "/ws/me/":
        assert await again.receive_json_from() == {"type": "hello"}
    else:
        await again.send_json_to({"type": "ping"})
        assert await again.receive_json_from() == {"type": "pong"}
    for socket in [*held, again, other]:
        await socket.disconnect()
    assert not consumers._open_sockets, "closed sockets are no longer counted"
    report("hostile inputs tried", consumers.MAX_SOCKETS_PER_MEMBER + 1)
    report("hostile inputs rendered or refused harmlessly", consumers.MAX_SOCKETS_PER_MEMBER + 1)


@pytest.mark.django_db(transaction=True)
async def test_a_limit_is_told_in_the_members_language(client, wall):
    forum, topic = await db(_setup)()
    await db(_use_up)(forum, topic)
    session = await _cookie(client, forum.mentor)
    language = (b"cookie", session[1] + b"; django_language=es")
    socket, _connected = await _open("/ws/forums/", language)
    await socket.send_json_to({"type": "post", "topic": topic.pk, "body": "y otra"})
    answer = await socket.receive_json_from(timeout=5)
    assert answer["code"] == "too_many_posts"
    assert answer["message"].startswith("Has publicado mucho")
    await socket.disconnect()
    header = (b"accept-language", b"pt-BR,pt;q=0.9")
    communicator = WebsocketCommunicator(
        application, "/ws/forums/", headers=[*SITE, session, header]
    )
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "post", "topic": topic.pk, "body": "e outra"})
    assert (await communicator.receive_json_from(timeout=5))["message"].startswith("Você publicou")
    await communicator.disconnect()
