"""The JSON API goes through the same services: same rules, clear errors, nothing half-done."""

import json

import pytest
from django.urls import reverse

from forums import services
from tests.forums.conftest import build_forum

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(forum):
    return services.start_topic(
        room=forum.room,
        author=forum.follower,
        title="HS code for cacao nibs",
        body="1801 or 1806?",
    )


def _post(client, topic, payload, **extra):
    return client.post(
        reverse("forums:api_topic_posts", args=[topic.pk]),
        data=payload if isinstance(payload, str | bytes) else json.dumps(payload),
        content_type="application/json",
        **extra,
    )


def test_member_posts_and_reads_back(client, forum, topic):
    client.force_login(forum.mentor)
    response = _post(client, topic, {"body": "Nibs are **1801**."})
    assert response.status_code == 201
    assert "<strong>1801</strong>" in response.json()["post"]["html"]
    listing = client.get(reverse("forums:api_topic_posts", args=[topic.pk])).json()
    assert [p["id"] for p in listing["posts"]] == list(topic.posts.values_list("id", flat=True))
    events = client.get(reverse("forums:api_topic_events", args=[topic.pk]), {"after": 1}).json()
    assert [e["id"] for e in events["events"]] == [2] and events["complete"]


def test_outsider_gets_404_and_nothing_is_written(client, forum, topic):
    client.force_login(forum.outsider)
    assert _post(client, topic, {"body": "hello"}).status_code == 404
    assert client.get(reverse("forums:api_topic_events", args=[topic.pk])).status_code == 404
    assert client.get(reverse("forums:api_room_topics", args=[forum.room.pk])).status_code == 404
    assert topic.posts.count() == 1


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ("not json", 400, "bad_json"),
        ([1, 2], 400, "bad_message"),
        ({"body": 5}, 400, "bad_message"),
        ({"body": "   "}, 400, "empty"),
        ("x" * (33 * 1024), 413, "too_large"),
    ],
)
def test_bad_requests_get_clear_errors(client, forum, topic, payload, status, code):
    client.force_login(forum.mentor)
    response = _post(client, topic, payload)
    assert (response.status_code, response.json()["error"]) == (status, code)
    assert topic.posts.count() == 1


def test_api_keeps_csrf_protection(forum, topic):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(forum.mentor)
    assert _post(strict, topic, {"body": "forged"}).status_code == 403
    assert topic.posts.count() == 1


def test_public_forum_readers_cannot_post():
    public = build_forum(visibility="public")
    topic = services.start_topic(room=public.room, author=public.mentor, title="T", body="B")
    from django.test import Client

    client = Client()
    client.force_login(public.outsider)
    assert client.get(reverse("forums:api_topic_posts", args=[topic.pk])).status_code == 200
    response = _post(client, topic, {"body": "me too"})
    assert (response.status_code, response.json()["error"]) == (403, "not_allowed")
