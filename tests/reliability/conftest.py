"""Fixtures of the fault and load tests: a migrated PostgreSQL template, own Redis and Daphne."""

import shutil

import pytest

from tests.conftest import IN_CI, POSTGRES_URL, _need
from tests.reliability import servers

SEEDED_READERS = 100  # signed-in followers in every fresh database: the short load test's


@pytest.fixture(scope="session")
def fault_databases():
    """Fresh databases copied from one template migrated once per run; all dropped at the end."""
    databases = servers.Databases(_need(POSTGRES_URL, "Postgres"), readers=SEEDED_READERS)
    try:
        databases.prepare()
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture
def workdir(tmp_path):
    return tmp_path


@pytest.fixture
def processes():
    """Every Redis and Daphne a test starts, stopped afterwards whatever happened."""
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


@pytest.fixture
def start_daphne(workdir, processes):
    def start(env: dict, name: str) -> servers.Daphne:
        daphne = servers.Daphne(env, workdir, name)
        processes.append(daphne)
        daphne.start()
        return daphne

    return start
