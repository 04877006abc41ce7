"""Forum search: stemmed and ranked on PostgreSQL, a plain match elsewhere."""

import pytest
from django.db import connection

from forums import selectors, services
from forums.selectors import TopicFilters
from tests.forums.conftest import build_forum

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="full-text search runs in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)


def _titles(posts):
    return [post.topic.title for post in posts]


@on_postgres
@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("exportaciones", "Primera exportación a Chile"),
        ("certificações", "Certificação orgânica"),
        ("shipping", "Shipped containers"),
    ],
)
def test_stems_match_in_spanish_portuguese_and_english(query, title):
    forum = build_forum()
    for name, body in [
        ("Primera exportación a Chile", "Cómo exportamos café"),
        ("Certificação orgânica", "Qual certificadora usar?"),
        ("Shipped containers", "We ship reefers weekly"),
    ]:
        services.start_topic(room=forum.room, author=forum.mentor, title=name, body=body)
    assert title in _titles(selectors.search(viewer=forum.mentor, q=query))


@on_postgres
def test_title_matches_rank_above_body_mentions():
    forum = build_forum()
    services.start_topic(
        room=forum.room, author=forum.mentor, title="Logistics tips", body="About cacao prices"
    )
    services.start_topic(
        room=forum.room, author=forum.mentor, title="Cacao fermentation", body="Cacao cacao"
    )
    assert _titles(selectors.search(viewer=forum.mentor, q="cacao"))[0] == "Cacao fermentation"


def test_filters_by_tag_solved_and_author():
    forum = build_forum()
    asked = services.start_topic(
        room=forum.room,
        author=forum.follower,
        title="Avocado reefer",
        body="avocado temps",
        kind="question",
        tags=["logistics"],
    )
    answer = services.post_reply(topic=asked, author=forum.mentor, body="avocado at 5C")
    services.start_topic(
        room=forum.room, author=forum.mentor, title="Avocado fairs", body="avocado"
    )
    services.accept_answer(post=answer, by=forum.follower)

    def titles(**filters):
        found = selectors.search(viewer=forum.mentor, q="avocado", filters=TopicFilters(**filters))
        return set(_titles(found))

    assert titles(tag="logistics") == {"Avocado reefer"}
    assert titles(solved="yes") == {"Avocado reefer"}
    assert titles(solved="no") == set()
    assert titles(author=forum.mentor.profile.handle) == {"Avocado fairs"}


@on_postgres
def test_the_database_connection_runs_without_jit():
    # JIT compiling cost search 0.79 s of 1.04 s at 100,000 posts (docs/performance.md).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@on_postgres
def test_an_old_best_match_still_comes_before_newer_weaker_ones():
    forum = build_forum()
    services.start_topic(
        room=forum.room, author=forum.mentor, title="Cacao fermentation", body="Cacao, cacao."
    )
    for number in range(6):
        services.start_topic(
            room=forum.room,
            author=forum.mentor,
            title=f"Logistics tips {number}",
            body="Prices of cacao this week",
        )
    found = _titles(selectors.search(viewer=forum.mentor, q="cacao"))
    assert found[0] == "Cacao fermentation"
    assert len(found) == 7


@on_postgres
def test_only_the_newest_matches_the_reader_may_see_are_ranked(monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 2)
    forum, elsewhere = build_forum(), build_forum()
    for title in ("Cacao fermentation", "Cacao drying", "Cacao prices"):
        services.start_topic(room=forum.room, author=forum.mentor, title=title, body="Notes.")
    # Newer matches in a private forum the reader is not in take no place among the two.
    for number in range(3):
        services.start_topic(
            room=elsewhere.room, author=elsewhere.mentor, title=f"Cacao {number}", body="x"
        )
    found = _titles(selectors.search(viewer=forum.mentor, q="cacao"))
    assert sorted(found) == ["Cacao drying", "Cacao prices"]
