"""Shared fixtures; servers a test needs are found here, or the test is skipped (failed in CI)."""

import os
import socket
from urllib.parse import urlsplit

import pytest

from tests.reporting import summary_lines

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def _need(url: str, what: str) -> str:
    if _reachable(url):
        return url
    message = f"{what} is not reachable at {urlsplit(url).netloc}"
    if IN_CI:
        pytest.fail(f"{message}; CI must provide it (.ci/run starts it).")
    pytest.skip(f"{message}; set TEST_{what.upper()}_URL or start it to run this test.")


def pytest_collection_modifyitems(items):
    """Browser journeys last: they hold a Daphne thread and Playwright's loop once started."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def postgres_url() -> str:
    return _need(POSTGRES_URL, "Postgres")


@pytest.fixture
def redis_url() -> str:
    return _need(REDIS_URL, "Redis")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, dropped only after the sockets' database threads let go of it."""
    yield
    from core.consumers import close_kept_connections

    with django_db_blocker.unblock():
        close_kept_connections()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Per-member counters (posts a minute, sign-in attempts, open sockets) start at zero,
    and no missed events are shared from another test's topic (its ids come back)."""
    from django.core.cache import cache

    from core import consumers
    from forums import realtime

    cache.clear()
    consumers._open_sockets.clear()
    realtime._missed.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a page requested in Spanish leaves Spanish
    active in the thread (LocaleMiddleware does not undo it), and the next test would read
    its messages in Spanish."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what services defer to after commit (emails, live events), as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def refetched(monkeypatch) -> list[str]:
    """Each column a model instance fetched on its own after its query: one left out by
    `.only()` and read anyway, a query per row. The test asserts the list stays empty."""
    from django.db.models import Model

    fetched = []
    fetch = Model.refresh_from_db

    def fetch_again(self, using=None, fields=None, *args, **kwargs):
        if fields is not None:  # how a deferred column is read; a plain refresh reads all
            fetched.append(f"{type(self).__name__}.{', '.join(fields)}")
        return fetch(self, using, fields, *args, **kwargs)

    monkeypatch.setattr(Model, "refresh_from_db", fetch_again)
    return fetched


def pytest_sessionfinish(session):
    """The SQLite test database's write-ahead log outlives the file Django removes."""
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME") or ""
    for leftover in (f"{name}-wal", f"{name}-shm") if name.endswith(".sqlite3") else ():
        if os.path.exists(leftover):
            os.remove(leftover)


def pytest_terminal_summary(terminalreporter):
    """The reliability summary closes every run (see tests/reporting.py)."""
    terminalreporter.section("reliability summary")
    for line in summary_lines():
        terminalreporter.write_line(line)
