"""Pages share a pool of PostgreSQL connections, and the statements each has prepared; while
the database refuses connections a request learns it at once, and serves again at once when
it is back (config/database)."""

from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import close_old_connections, connection
from psycopg_pool import PoolTimeout

from config.database.base import Pool
from tests.factories import add_member, make_cluster
from tests.reliability.servers import TcpProxy

# Longer than any wait below: a request that waited for the pool would fail the test.
POOL_WAIT = 120


def _pool(postgres_url: str, proxy: TcpProxy, idle: int = 1) -> Pool:
    real = urlsplit(postgres_url)
    through = postgres_url.replace(f":{real.port}/", f":{proxy.port}/")
    pool = Pool(
        through,
        min_size=idle,
        max_size=idle + 1,
        timeout=POOL_WAIT,
        check=Pool.check_connection,
        open=False,
    )
    pool.open(wait=True)
    return pool


def _answers(pool: Pool) -> int:
    connection = pool.getconn()
    try:
        return connection.execute("SELECT pg_backend_pid()").fetchone()[0]
    finally:
        pool.putconn(connection)


@pytest.mark.postgres
@pytest.mark.timeout(60)
def test_a_refused_database_fails_requests_at_once_and_serves_them_again_at_once(postgres_url):
    proxy = TcpProxy(urlsplit(postgres_url).port)
    proxy.start()
    pool = _pool(postgres_url, proxy)
    try:
        before = {_answers(pool) for _ in range(6)}
        assert len(before) <= 2  # the pool's connections, kept between requests

        proxy.cut()
        for _ in range(3):
            with pytest.raises(psycopg.OperationalError) as refused:
                _answers(pool)
            assert not isinstance(refused.value, PoolTimeout)

        proxy.restore()
        after = {_answers(pool) for _ in range(6)}
        assert after.isdisjoint(before)  # new connections, the old ones died with the cut
        assert len(after) <= 3  # the first request's own, then the pool's again
    finally:
        pool.close()
        proxy.stop()


@pytest.mark.postgres
@pytest.mark.timeout(60)
def test_idle_connections_that_died_with_the_server_are_not_handed_out_after_it(postgres_url):
    proxy = TcpProxy(urlsplit(postgres_url).port)
    proxy.start()
    pool = _pool(postgres_url, proxy, idle=4)
    try:
        assert pool.get_stats()["pool_available"] == 4
        proxy.cut()
        with pytest.raises(psycopg.OperationalError):
            _answers(pool)
        # Each would cost a request a failed check and a pause before the next.
        assert pool.get_stats()["pool_available"] == 0
        proxy.restore()
        _answers(pool)
    finally:
        pool.close()
        proxy.stop()


@pytest.mark.django_db(transaction=True)
def test_a_page_reuses_an_earlier_pages_connection_and_its_prepared_statements(client):
    if connection.vendor != "postgresql":
        pytest.skip("pages share pooled connections on PostgreSQL (DATABASE_URL=postgres://…)")
    client.force_login(add_member(make_cluster()))
    # At most this many connections serve the pages: within one more request, a page is
    # served on a connection an earlier page used (one of its own each would never repeat).
    pooled = connection.settings_dict["OPTIONS"].get("pool", {}).get("max_size", 20)
    served = set()
    for _ in range(pooled + 1):
        assert client.get("/").status_code == 200
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_backend_pid(), count(*) FROM pg_prepared_statements"
                " WHERE statement LIKE %s",
                ['%FROM "django_session"%'],
            )
            backend, session_prepared = cursor.fetchone()
        close_old_connections()  # the server's end of a request: the connection goes back
        assert connection.connection is None
        if backend in served:
            break
        served.add(backend)
    else:
        pytest.fail(f"{pooled + 1} pages were served on {pooled + 1} connections")
    # The page's reading of its session, run on this connection before, is prepared there.
    assert session_prepared >= 1
