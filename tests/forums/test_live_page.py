"""The topic page's script (static/pioneros/forum.js) in Chromium, against a scripted socket.

The page is rendered by Django; the socket is Playwright's stand-in, so each test decides
which events arrive, in which order, and sees what the page then shows and asks for.
"""

import itertools
import json
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.db import connections

from forums import realtime, services
from forums.models import TopicEvent
from tests.browser.conftest import (
    _close_server_thread_connections,
    browser,  # noqa: F401  (Chromium, or skipped with the reason)
)

# With Playwright's sync API running, the test body does not share pytest-django's connection
# (the same holds for tests/browser): rows are committed, and flushed after each test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_no_connections_left"),
]


@pytest.fixture(scope="session")
def _no_connections_left(django_db_setup, django_db_blocker):
    """End the connections opened outside pytest-django's, so the test database can go."""
    yield
    with django_db_blocker.unblock():
        _close_server_thread_connections()


class LivePage:
    """The topic page as `user` sees it, with everything it loads served from here."""

    def __init__(self, browser, client, user, url, *, fake_clock=False):  # noqa: F811
        client.force_login(user)
        self.client = client
        self.html = client.get(url).content
        self.context = browser.new_context(locale="en-US")
        self.page = self.context.new_page()
        self.sockets = []
        self.sent = []  # what the page sent on its forum socket
        self.page.route_web_socket("**/ws/forums/", self._socket)
        self.page.route_web_socket("**/ws/me/", lambda socket: None)
        self.page.route("**/*", self._serve)
        if fake_clock:
            self.page.clock.install()
        self.page.goto(f"http://testserver{url}")
        self.wait(lambda: self.subscriptions())

    def _socket(self, socket):
        self.sockets.append(socket)
        socket.on_message(lambda message: self.sent.append(json.loads(message)))

    def _serve(self, route):
        url = urlsplit(route.request.url)
        if url.path.startswith("/static/"):
            found = finders.find(url.path.removeprefix("/static/"))
            return route.fulfill(path=found) if found else route.fulfill(status=404)
        if url.path.startswith(("/api/", "/posts/")):  # the catch-up, and live posts' cards
            response = self.client.get(url.path, dict(parse_qsl(url.query)))
            connections.close_all()  # each handler runs in a greenlet with its own connection
            return route.fulfill(
                status=response.status_code,
                body=response.content,
                content_type=response["Content-Type"],
            )
        return route.fulfill(body=self.html, content_type="text/html; charset=utf-8")

    def send(self, event: dict) -> None:
        self.sockets[-1].send(json.dumps(event))

    def subscriptions(self) -> list[dict]:
        return [message for message in self.sent if message["type"] == "subscribe"]

    def ids(self, selector: str) -> list[str]:
        return self.page.eval_on_selector_all(selector, "items => items.map(item => item.id)")

    def wait(self, condition, timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "the page never got there"
            self.page.wait_for_timeout(50)

    def close(self) -> None:
        self.context.close()


def _newest(topic) -> dict:
    """The payload the server sends for the topic's newest event."""
    event = (
        TopicEvent.objects.filter(topic=topic)
        .select_related("post__author__profile", "post__topic")
        .latest("number")
    )
    topic.refresh_from_db()
    return realtime.event_payload(event, topic)


def _question(forum, replies: int = 0):
    topic = services.start_topic(
        room=forum.room,
        author=forum.follower,
        title="Reefer settings",
        body="What temperature?",
        kind="question",
    )
    for n in range(replies):
        services.post_reply(topic=topic, author=forum.mentor, body=f"Reply {n}")
    return topic


def test_an_event_arriving_before_the_one_it_follows_fetches_the_missing_one(
    browser,  # noqa: F811
    client,
    forum,
):
    topic = _question(forum)
    live = LivePage(browser, client, forum.mentor, topic.get_absolute_url())
    second = services.post_reply(topic=topic, author=forum.coordinator, body="Second")
    third = services.post_reply(topic=topic, author=forum.coordinator, body="Third")
    live.send(_newest(topic))  # event 3; event 2 is somewhere behind it
    live.wait(lambda: len(live.ids("#posts article")) == 3)
    assert live.ids("#posts article")[1:] == [f"post-{second.pk}", f"post-{third.pk}"]
    live.close()


def test_an_incomplete_catch_up_asks_again_from_where_it_got(
    browser,  # noqa: F811
    client,
    forum,
):
    topic = _question(forum)
    live = LivePage(browser, client, forum.mentor, topic.get_absolute_url())
    services.post_reply(topic=topic, author=forum.coordinator, body="One of many")
    live.send(_newest(topic))
    live.send({"type": "subscribed", "topic": topic.pk, "last": 2, "complete": False})
    live.wait(lambda: len(live.subscriptions()) == 2)
    assert live.subscriptions()[-1] == {"type": "subscribe", "topic": topic.pk, "after": 2}
    live.close()


def test_an_open_page_subscribes_again_every_minute(browser, client, forum):  # noqa: F811
    topic = _question(forum)
    live = LivePage(browser, client, forum.mentor, topic.get_absolute_url(), fake_clock=True)
    live.send({"type": "subscribed", "topic": topic.pk, "last": 1, "complete": True})
    services.post_reply(topic=topic, author=forum.coordinator, body="Heard live")
    live.send(_newest(topic))
    assert len(live.subscriptions()) == 1
    live.page.clock.run_for(61_000)
    live.wait(lambda: len(live.subscriptions()) == 2)
    assert live.subscriptions()[-1]["after"] == 2
    live.close()


def test_accepting_hiding_showing_and_locking_show_live(browser, client, forum):  # noqa: F811
    topic = _question(forum)
    question = topic.posts.get()
    first = services.post_reply(topic=topic, author=forum.mentor, body="Five degrees")
    second = services.post_reply(topic=topic, author=forum.coordinator, body="Six degrees")
    hidden = services.post_reply(topic=topic, author=forum.mentor, body="Buy my reefer")
    services.hide_post(post=hidden, by=forum.coordinator, reason="Advertising")
    services.accept_answer(post=first, by=forum.follower)
    live = LivePage(browser, client, forum.follower, topic.get_absolute_url())
    state = live.page.locator(".topic-state")
    assert live.ids("#accepted-answer article") == [f"post-{first.pk}"]

    services.accept_answer(post=second, by=forum.follower)
    live.send(_newest(topic))
    live.wait(lambda: live.ids("#accepted-answer article") == [f"post-{second.pk}"])
    expected = [f"post-{p.pk}" for p in (question, first, hidden)]
    assert live.ids("#posts article") == expected

    services.hide_post(post=second, by=forum.coordinator, reason="Wrong")
    live.send(_newest(topic))
    live.wait(lambda: state.inner_text() == "Question")
    assert live.ids("#accepted-answer article") == []
    expected = [f"post-{p.pk}" for p in (question, first, second, hidden)]
    assert live.ids("#posts article") == expected
    assert "Six degrees" not in live.page.locator(f"#post-{second.pk}").inner_text()

    services.show_post(post=hidden, by=forum.coordinator)
    live.send(_newest(topic))
    shown = live.page.locator(f"#post-{hidden.pk}")
    live.wait(lambda: "Buy my reefer" in shown.inner_text())
    assert not shown.locator(".post-hidden-note").is_visible()

    services.set_topic_flags(topic=topic, by=forum.coordinator, locked=True)
    live.send(_newest(topic))
    live.wait(lambda: live.page.locator("#locked-note").is_visible())
    assert not live.page.locator("#reply-form").is_visible()
    assert live.page.locator(".topic-locked").is_visible()
    live.close()


def test_new_replies_join_only_the_last_page(browser, client, forum):  # noqa: F811
    topic = _question(forum, replies=31)
    live = LivePage(browser, client, forum.mentor, topic.get_absolute_url())
    shown = live.ids("#posts article")
    services.post_reply(topic=topic, author=forum.coordinator, body="Far below")
    live.send(_newest(topic))
    services.set_topic_flags(topic=topic, by=forum.coordinator, pinned=True)
    live.send(_newest(topic))  # once this one is in, the reply before it was handled
    live.wait(
        lambda: (
            live.page.evaluate("document.getElementById('live-topic').dataset.lastEvent") == "34"
        )
    )
    assert live.ids("#posts article") == shown
    live.close()


def test_a_socket_closed_as_signed_out_is_not_reopened(browser, client, forum):  # noqa: F811
    topic = _question(forum)
    live = LivePage(browser, client, forum.mentor, topic.get_absolute_url())
    live.sockets[-1].close(code=4401, reason="")
    state = live.page.locator("#forum-live-state")
    live.wait(lambda: state.inner_text() == state.get_attribute("data-unavailable"))
    live.page.wait_for_timeout(3500)  # past the first two retries of the backoff
    assert len(live.sockets) == 1
    live.close()


def test_a_page_whose_socket_is_refused_at_the_handshake_stops_retrying(
    browser,  # noqa: F811
    client,
    forum,
):
    """A 403 at the handshake (a foreign origin) reaches the page as 1006, as a lost network
    does; the server answering /healthz meanwhile tells them apart."""
    topic = _question(forum)
    client.force_login(forum.mentor)
    html = client.get(topic.get_absolute_url()).content
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    attempts, health = [], []
    page.on("websocket", lambda socket: attempts.append(socket.url))
    page.route_web_socket("**/ws/me/", lambda socket: None)

    def serve(route):
        path = urlsplit(route.request.url).path
        if path.startswith("/static/"):
            return route.fulfill(path=finders.find(path.removeprefix("/static/")))
        if path == "/healthz":
            health.append(path)
            return route.fulfill(body="ok", content_type="text/plain")
        return route.fulfill(body=html, content_type="text/html; charset=utf-8")

    page.route("**/*", serve)
    # Nothing answers ws://127.0.0.1:9/: every socket fails before opening, as a refused one.
    page.goto("http://127.0.0.1:9/" + topic.get_absolute_url().lstrip("/"))
    state = page.locator("#forum-live-state")
    deadline = time.monotonic() + 20
    while state.inner_text() != state.get_attribute("data-unavailable"):
        assert time.monotonic() < deadline, f"still retrying: {len(attempts)} sockets"
        page.wait_for_timeout(100)
    tried = len([url for url in attempts if url.endswith("/ws/forums/")])
    page.wait_for_timeout(5000)  # longer than the backoff had reached
    assert len([url for url in attempts if url.endswith("/ws/forums/")]) == tried == 3
    assert len(health) >= 3
    context.close()


def test_a_page_over_the_socket_cap_says_so_and_backs_off(browser, client, forum):  # noqa: F811
    topic = _question(forum)
    live = LivePage(browser, client, forum.mentor, topic.get_absolute_url())
    message = "Too many open pages: close some to follow this one live."
    refused_at = []

    def refuse(socket):  # what the server does to a socket beyond the member's cap
        refused_at.append(time.monotonic())
        socket.send(json.dumps({"type": "error", "code": "too_many_sockets", "message": message}))
        socket.close(code=4429, reason="")

    live.page.route_web_socket("**/ws/forums/", refuse)
    refuse(live.sockets[-1])
    state = live.page.locator("#forum-live-state")
    live.wait(lambda: len(refused_at) >= 4, timeout=20)
    assert state.inner_text() == message
    gaps = [later - earlier for earlier, later in itertools.pairwise(refused_at)]
    # The page waits 1 s, 2 s, then 4 s, each spread between half and one and a half times:
    # the third wait is 2 to 6 s, where a page retrying every second waits 1.5 s at most.
    assert gaps[2] > 1.75, gaps
    live.close()
