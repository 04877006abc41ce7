"""Guides are found through the forums' search, filtered by product, market, topic, language."""

import pytest
from django.db import connection

from forums import services as forum_services
from guides import selectors
from guides.selectors import GuideFilters
from tests.factories import PASSWORD
from tests.guides.conftest import build_library, published

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="full-text search runs in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)

GUIDES = [
    # title, language, products, markets, topics, body
    (
        "Exportar café verde a Alemania",
        "es",
        ["0901"],
        ["DE"],
        ["origin"],
        "Los certificados de origen y las exportaciones de café.",
    ),
    (
        "Exportação de frutas para a União Europeia",
        "pt",
        ["0804"],
        ["EU27"],
        ["standards"],
        "As certificações exigidas pelos compradores europeus.",
    ),
    (
        "Shipping cacao to the United States",
        "en",
        ["18"],
        ["US"],
        ["logistics"],
        "Reefers are not needed; containers shipped dry.",
    ),
]


@pytest.fixture
def shelf(db):
    library = build_library()
    for title, language, products, markets, topics, body in GUIDES:
        published(
            library,
            visibility="network",
            title=title,
            language=language,
            products=products,
            markets=markets,
            topics=topics,
            body=body,
        )
    return library


def _titles(guides):
    return {guide.current_version.title for guide in guides}


def _found(viewer, q="", **filters):
    return _titles(selectors.search(viewer=viewer, q=q, filters=GuideFilters(**filters)))


def test_filters_by_product_heading_or_chapter(shelf):
    viewer = shelf.outsider
    assert _found(viewer, product="0901") == {"Exportar café verde a Alemania"}
    assert _found(viewer, product="09") == {"Exportar café verde a Alemania"}
    # A guide on chapter 18 serves a question on heading 1801.
    assert _found(viewer, product="1801") == {"Shipping cacao to the United States"}


def test_filters_by_market_through_trade_blocs(shelf):
    viewer = shelf.outsider
    # Germany is in the EU: the EU guide serves it too; the EU finds its members' guides.
    assert _found(viewer, market="DE") == {
        "Exportar café verde a Alemania",
        "Exportação de frutas para a União Europeia",
    }
    assert _found(viewer, market="EU27") == _found(viewer, market="DE")
    assert _found(viewer, market="US") == {"Shipping cacao to the United States"}
    assert _found(viewer, market="JP") == set()


def test_filters_by_topic_and_language(shelf):
    viewer = shelf.outsider
    assert _found(viewer, topic="standards") == {"Exportação de frutas para a União Europeia"}
    assert _found(viewer, language="en") == {"Shipping cacao to the United States"}
    assert _found(viewer, language="es", market="US") == set()


@pytest.mark.parametrize(
    ("q", "market", "title"),
    [
        ("café", "DE", "Exportar café verde a Alemania"),
        ("frutas", "EU27", "Exportação de frutas para a União Europeia"),
        ("cacao", "US", "Shipping cacao to the United States"),
    ],
)
def test_words_and_market_together_in_each_language(shelf, q, market, title):
    assert _found(shelf.outsider, q=q, market=market) == {title}
    assert _found(shelf.outsider, q=q, market="JP") == set()


@on_postgres
@pytest.mark.parametrize(
    ("q", "title"),
    [
        ("exportaciones certificado", "Exportar café verde a Alemania"),
        ("certificação exportações", "Exportação de frutas para a União Europeia"),
        ("ship containers", "Shipping cacao to the United States"),
    ],
)
def test_stems_match_in_spanish_portuguese_and_english(shelf, q, title):
    assert title in _found(shelf.outsider, q=q)


@on_postgres
def test_stemmed_words_with_product_filter(shelf):
    assert _found(shelf.outsider, q="exportación", product="0901") == {
        "Exportar café verde a Alemania"
    }


def test_the_forum_search_page_shows_guides_above_posts(client, shelf, refetched):
    room = forum_services.forum_of(shelf.cluster)
    forum_services.start_topic(room=room, author=shelf.mentor, title="Cacao prices", body="cacao")
    assert client.login(email=shelf.follower.email, password=PASSWORD)
    page = client.get("/search/", {"q": "cacao", "market": "US"}).content.decode()
    assert "Shipping cacao to the United States" in page and "Cacao prices" in page
    assert page.index("Shipping cacao") < page.index("Cacao prices")
    author, cluster = shelf.mentor.profile.display_name, shelf.cluster.name
    assert f"{cluster} · {author}" in page  # the post's line
    only_filters = client.get("/search/", {"product": "0901"}).content.decode()
    assert "Exportar café verde a Alemania" in only_filters
    assert "Shipping cacao" not in only_filters
    assert "Exportar café verde a Alemania" in client.get("/guides/").content.decode()
    # Guides and posts come with the columns their cards and lines show.
    assert refetched == []


@pytest.mark.parametrize("extra", [0, 6])
def test_search_and_library_pages_issue_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, extra
):
    library = build_library()
    for n in range(3 + extra):
        published(library, visibility="network", title=f"Coffee guide {n}")
    assert client.login(email=library.follower.email, password=PASSWORD)
    with django_assert_max_num_queries(14):
        assert client.get("/search/", {"q": "Coffee", "market": "DE"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/guides/", {"product": "0901"}).status_code == 200
