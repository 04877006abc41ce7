"""Chromium from Debian driven by Playwright; skipped with a reason where it is absent."""

import os
from pathlib import Path

import pytest

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-results" / "browser"
# The closed network here refuses Chromium's own background traffic; don't try it.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


def _keep_what_each_page_showed(browser, name: str) -> None:
    """A failed journey leaves a picture and the HTML of every page still open, so a failure
    seen once on a loaded machine can be read afterwards instead of guessed at."""
    folder = OUTPUT / name / "at-failure"
    folder.mkdir(parents=True, exist_ok=True)
    for c, context in enumerate(browser.contexts):
        for p, page in enumerate(context.pages):
            stem = folder / f"context{c}-page{p}"
            try:
                page.screenshot(path=f"{stem}.png", full_page=True, timeout=10_000)
                stem.with_suffix(".html").write_text(f"<!-- {page.url} -->\n{page.content()}")
            except Exception as error:  # a closed or crashed page: say so, keep the others
                stem.with_suffix(".txt").write_text(f"{page.url}: {error}")


@pytest.fixture
def browser(monkeypatch, request):
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; the ORM calls the tests make in
    # between are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        if getattr(request.node, "call_failed", False):
            _keep_what_each_page_showed(browser, request.node.name)
        browser.close()


@pytest.fixture
def page(browser, request):
    from django.core.cache import cache

    cache.clear()  # allauth's rate limits count per address across tests
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    yield page
    if getattr(request.node, "call_failed", False):
        _keep_what_each_page_showed(browser, request.node.name)
    context.close()


@pytest.fixture
def screenshot_dir(request) -> Path:
    path = OUTPUT / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def daphne_url(django_db_setup, django_db_blocker):
    """The real ASGI stack (Daphne: HTTP and WebSocket) in a thread, on a free port.

    pytest-django's live_server speaks WSGI only; the pages open a WebSocket, so the
    journeys need Daphne. A thread shares the test database with the test itself.
    """
    import threading

    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server
    from twisted.internet import reactor

    from config.asgi import application

    ready = threading.Event()
    server = Server(
        application=application,
        endpoints=build_endpoint_description_strings(host="127.0.0.1", port=0),
        signal_handlers=False,
        ready_callable=ready.set,
        verbosity=0,
    )
    thread = threading.Thread(target=server.run, name="daphne", daemon=True)
    thread.start()
    if not ready.wait(timeout=20):
        pytest.fail("Daphne did not start within 20 s")
    for _ in range(100):
        if server.listening_addresses:
            break
        threading.Event().wait(0.05)
    host, port = server.listening_addresses[0]
    yield f"http://{host}:{port}"
    reactor.callFromThread(reactor.stop)
    thread.join(timeout=10)
    with django_db_blocker.unblock():
        _close_server_thread_connections()


def _close_server_thread_connections() -> None:
    """Worker threads of the stopped server may still hold PostgreSQL sessions, which would
    stop pytest-django from dropping the test database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
