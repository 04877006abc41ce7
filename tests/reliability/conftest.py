"""Fixtures of the fault and load tests: a migrated PostgreSQL template, own Redis, and the
app's server on each server it is served by."""

import shutil

import pytest

from tests.conftest import IN_CI, POSTGRES_URL, _need, _reachable
from tests.reliability import servers

SEEDED_READERS = 100  # signed-in followers in every fresh database: the short load test's
_template: dict = {}  # the prepared Databases, or the error preparing them raised


def pytest_collection_finish(session):
    """Migrate and seed the template before the first test starts, when a selected test needs
    it: made inside a test, its minute or more (several on a loaded machine) would count
    against that one test's timeout and fail every fault test after it."""
    if not any("fault_databases" in item.fixturenames for item in session.items):
        return
    if not _reachable(POSTGRES_URL):
        return  # the fixture skips, or fails in CI, saying why
    databases = servers.Databases(POSTGRES_URL, readers=SEEDED_READERS)
    try:
        databases.prepare()
        _template["databases"] = databases
    except Exception as error:  # reported by every test that needs it
        databases.drop_all()
        _template["error"] = error


def pytest_sessionfinish(session):
    if "databases" in _template:
        _template.pop("databases").drop_all()


@pytest.fixture(scope="session")
def fault_databases():
    """Fresh databases copied from one template migrated once per run; all dropped at the end."""
    _need(POSTGRES_URL, "Postgres")
    if "error" in _template:
        raise _template["error"]
    if "databases" not in _template:  # not selected at collection (e.g. `pytest -k` on a test)
        databases = servers.Databases(POSTGRES_URL, readers=SEEDED_READERS)
        databases.prepare()
        _template["databases"] = databases
    return _template["databases"]


@pytest.fixture
def workdir(tmp_path):
    return tmp_path


@pytest.fixture
def processes():
    """Every Redis and server a test starts, stopped afterwards whatever happened."""
    started: list = []
    yield started
    for process in reversed(started):
        process.stop()


@pytest.fixture
def own_redis(workdir, processes):
    """A redis-server of the test's own on a free port, which it may stop and restart."""
    if shutil.which("redis-server") is None:
        message = "the redis-server binary is not on PATH"
        if IN_CI:
            pytest.fail(f"{message}; CI must provide it.")
        pytest.skip(f"{message}; install redis-server to run the fault tests.")
    redis = servers.RedisServer(workdir)
    processes.append(redis)
    redis.start()
    return redis


@pytest.fixture(scope="session", params=[servers.PRODUCTION])
def server_class(request) -> type[servers.Server]:
    """The server of the fault and load tests: production's. A test of what `make run` relies
    on too runs on every server: `pytest.mark.parametrize("server_class", sorted(SERVERS),
    indirect=True)`. Uvicorn, Daphne and Granian each passed every test; each server costs a
    minute and a half a run."""
    return servers.SERVERS[request.param]


@pytest.fixture
def start_server(server_class, workdir, processes):
    def start(env: dict, name: str) -> servers.Server:
        server = server_class(env, workdir, name)
        processes.append(server)
        server.start()
        return server

    return start
