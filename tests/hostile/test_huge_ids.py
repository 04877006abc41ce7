"""An integer in a URL that no database column can hold answers 404 on every route, for the
anonymous and for a member alike: never a 500 from a query that overflowed.

Every route of the URL configuration is walked, and each integer in it is replaced in turn
by numbers past the 64-bit range that PostgreSQL's bigint and SQLite's INTEGER share.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern

from core.converters import IdConverter
from tests.reporting import report

pytestmark = pytest.mark.django_db

HUGE = ("9223372036854775808", "99999999999999999999", "1" + "0" * 40)
INTEGER = (IntConverter, IdConverter)
# The admin's own routes are Django's: its catch-all and object pages take any text.
ADMIN = "admin/"
API = "api/agency/"


def _routes() -> list[tuple[str, dict]]:
    """(route, its converters) of every path() in the URL configuration."""
    found = []

    def walk(resolver: URLResolver, prefix: str, converters: dict) -> None:
        for entry in resolver.url_patterns:
            if not isinstance(entry.pattern, RoutePattern):
                continue  # a regular expression route (the admin's app index) holds no integer
            route = prefix + str(entry.pattern)
            inner = {**converters, **entry.pattern.converters}
            if isinstance(entry, URLResolver):
                walk(entry, route, inner)
            elif isinstance(entry, URLPattern):
                found.append((route, inner))

    walk(get_resolver(), "", {})
    return found


def _integers(converters: dict) -> list[str]:
    # The agency API's routes take text and leave it to their schema to read an id from it.
    return [
        name
        for name, converter in converters.items()
        if isinstance(converter, INTEGER) or name.endswith("_id")
    ]


def _urls(route: str, converters: dict) -> list[str]:
    """The route with each integer in turn huge (the others 1), and text where text goes."""
    urls = []
    for target in _integers(converters):
        for huge in HUGE:

            def fill(match, target=target, huge=huge):
                name = match.group(1)
                if name == target:
                    return huge
                return "1" if name in _integers(converters) else "x"

            urls.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route))
    return urls


def test_every_integer_in_every_route_is_bounded():
    unbounded = [
        f"{route} <{name}>"
        for route, converters in _routes()
        if not route.startswith(ADMIN)
        for name, converter in converters.items()
        if isinstance(converter, IntConverter)
    ]
    assert unbounded == [], "use <id:...>: an unbounded integer overflows the query"


def _allowed(route: str) -> set[int]:
    if route.startswith(ADMIN):
        return {302, 403, 404}  # the admin asks for staff before it reads the URL
    if route.startswith(API):
        return {401, 404, 405}  # the agency API asks for its key first (see below)
    return {404}


@pytest.mark.parametrize("actor", ["anonymous", "member"])
def test_an_id_no_column_holds_answers_404_on_every_route(world, actor):
    client = Client(raise_request_exception=False)
    if actor == "member":
        client.force_login(world.a.coordinator)
    answers, tried = {}, 0
    for route, converters in _routes():
        for url in _urls(route, converters):
            for method in (client.get, client.post):
                tried += 1
                status = method(url).status_code
                if status not in _allowed(route):
                    answers[f"{method.__name__.upper()} {url}"] = status
    report("hostile inputs tried", tried)
    report("hostile inputs rendered or refused harmlessly", tried - len(answers))
    assert answers == {}


def test_the_agency_api_answers_404_to_an_id_no_column_holds(world):
    client = Client(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {world.a.api_key}"}
    urls = [url for route, c in _routes() if route.startswith(API) for url in _urls(route, c)]
    assert urls, "the agency API has no route with an id"
    answers = {url: client.get(url, headers=headers).status_code for url in urls}
    assert answers == dict.fromkeys(urls, 404)
    report("hostile inputs tried", len(urls))
    report("hostile inputs rendered or refused harmlessly", len(urls))


@pytest.mark.parametrize("after", [HUGE[1], "-" + HUGE[1]])
def test_the_agency_api_pages_past_any_id_without_failing(world, after):
    client = Client(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {world.a.api_key}"}
    programme = world.a.programme.pk
    for rows in ("contributions", "entries", "balances"):
        url = f"/{API}programmes/{programme}/{rows}?after={after}&limit={HUGE[2]}"
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        # Past the last id there is nothing; before the first, the first page.
        assert (response.json() == []) == (not after.startswith("-")), url
