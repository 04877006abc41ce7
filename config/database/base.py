"""PostgreSQL through psycopg's pool, as Django ships it, but failing at once while the
database cannot be reached (ENGINE "config.database", chosen by DATABASE_POOL_SIZE).

Each request runs in a thread of its own, so only a pool lets a page reuse an earlier page's
connection, and the statements it prepared (docs/performance.md). psycopg's pool makes a page
wait for a connection while the database is away, then retries with growing delays for
minutes once it is back; a page there should answer 503 at once and serve again at once.
"""

import weakref

import psycopg
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool

# The server is shutting down or starting up: as unreachable as one that refuses.
STOPPING = {"57P01", "57P03"}


class Pool(ConnectionPool):
    """While the last attempt to connect found the server unreachable or stopping, a request
    connects by itself, as without a pool: refused at once while the database is away, and
    the first success tells the pool it is back. Such a failure is not retried later (the
    next request asks again), the requests already waiting are answered with its error, and
    the idle connections are dropped. A server that answers but refuses is waited for."""

    def __init__(self, *args, **kwargs):
        self.refused = False
        self._own: weakref.WeakSet = weakref.WeakSet()  # made by a request, closed after it
        super().__init__(*args, reconnect_timeout=0, **kwargs)

    def _connect(self, timeout: float | None = None) -> psycopg.Connection:
        try:
            connection = super()._connect(timeout)
        except psycopg.Error as error:
            # Only an unreachable or stopping server; one that answers (too many clients,
            # say) is waited for, as psycopg's pool does.
            if error.sqlstate is None or error.sqlstate in STOPPING:
                self._refuse(error)
            raise
        self.refused = False
        return connection

    def _refuse(self, error: psycopg.Error) -> None:
        self.refused = True
        with self._lock:
            while self._waiting:
                self._waiting.popleft().fail(error)
            # The idle connections died with the server: forget them, so the first requests
            # after it is back are not each handed a dead one to check first.
            idle = list(self._pool)
            self._pool.clear()
            self._nconns -= len(idle)
        for connection in idle:
            connection.close()

    def _getconn_unchecked(self, timeout: float) -> psycopg.Connection:
        if not self.refused:
            return super()._getconn_unchecked(timeout)
        connection = self._connect(timeout)
        self._own.add(connection)
        return connection

    def _putconn(self, connection: psycopg.Connection, from_getconn: bool) -> None:
        if connection in self._own:
            self._own.discard(connection)
            connection._pool = None
            connection.close()
            return
        super()._putconn(connection, from_getconn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> Pool | None:
        # Django's own property, building our pool instead of psycopg's.
        options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not options:
            return None
        if self.alias not in self._connection_pools:
            checks = self.settings_dict["CONN_HEALTH_CHECKS"]
            pool = Pool(
                kwargs={**self.get_connection_params(), "autocommit": True},
                open=False,
                configure=self._configure_connection,
                check=Pool.check_connection if checks else None,
                **options,
            )
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]
