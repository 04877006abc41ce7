"""Forum and topic pages walked by cursor: every row once, in the page's order."""

import base64
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from forums import selectors, services
from forums.models import Topic


def _walk(read) -> list[int]:
    seen, after = [], None
    while True:
        page = read(after)
        seen += [item.pk for item in page.items]
        after = page.next_cursor
        if after is None:
            return seen


def test_walking_a_forum_by_cursor_shows_every_topic_once_pinned_first(forum):
    topics = [
        services.start_topic(
            room=forum.room, author=forum.follower, title=f"Lot {i}", body="FOB?", kind="question"
        )
        for i in range(7)
    ]
    # Three topics last active at the same instant: their ids break the tie.
    Topic.objects.filter(pk__in=[t.pk for t in topics[2:5]]).update(last_post_at=timezone.now())
    Topic.objects.filter(pk__in=[topics[1].pk, topics[5].pk]).update(is_pinned=True)

    seen = _walk(lambda after: selectors.room_topics(forum.room, after=after, per_page=2))

    expected = Topic.objects.filter(room=forum.room).order_by("-is_pinned", "-last_post_at", "-id")
    assert seen == list(expected.values_list("pk", flat=True))
    assert set(seen[:2]) == {topics[1].pk, topics[5].pk}
    assert seen[2:5] == sorted((t.pk for t in topics[2:5]), reverse=True)


def test_walking_a_topic_by_cursor_shows_its_own_posts_once_oldest_first(forum):
    topic = services.start_topic(
        room=forum.room, author=forum.follower, title="Incoterms", body="FOB?", kind="question"
    )
    other = services.start_topic(
        room=forum.room, author=forum.mentor, title="Cold chain", body="Reefers?", kind="question"
    )
    for i in range(5):
        services.post_reply(topic=topic, author=forum.mentor, body=f"Answer {i}")
        services.post_reply(topic=other, author=forum.follower, body=f"Elsewhere {i}")

    seen = _walk(
        lambda after: selectors.topic_posts(topic, viewer=forum.follower, after=after, per_page=2)[
            "page"
        ]
    )

    assert seen == list(topic.posts.order_by("id").values_list("pk", flat=True))
    assert len(seen) == 6


@pytest.mark.parametrize(
    "values",
    [[float("inf")], [1, float("nan")], [1, 2**80], [True, "2026-01-01T00:00:00", -(2**70)]],
    ids=["infinity", "nan", "too-big", "too-small"],
)
def test_a_cursor_no_column_can_hold_starts_from_the_first_page(client, forum, values):
    topic = services.start_topic(
        room=forum.room, author=forum.follower, title="Incoterms", body="FOB?", kind="question"
    )
    cursor = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    client.force_login(forum.follower)
    for url in (topic.get_absolute_url(), reverse("forums:room", args=[forum.room.pk])):
        response = client.get(url, {"after": cursor})
        assert response.status_code == 200
        assert response.context["page"].is_first
