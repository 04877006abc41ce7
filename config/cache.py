"""The shared Redis cache, falling back to this process's memory while Redis is down.

The cache holds allauth's rate-limit counters. Without Redis, a plain RedisCache would turn
every sign-in into a 500; falling back keeps forms working, and the limits still hold per
process (stricter in total, never open) until Redis answers again.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

WARN_EVERY = 30.0  # seconds between log lines while Redis stays down
_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


# Add to a count only if it is there, in one round trip: Django's client asks EXISTS first,
# and a rate limit (core/throttle.py) counts on every post.
_INCR_EXISTING = (
    "if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end"
)


class _Client(RedisCacheClient):
    """Django's client, keeping one Redis client per connection pool: Django builds a new
    one for every call, a fifth of a millisecond each, twice for every post's rate limit.
    A Redis client holds no connection of its own (it takes a pooled one for each command),
    so it recovers from an outage as a new one would."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class _RedisCache(RedisCache):
    scripts = True  # until a server refuses them (some managed ones do): then Django's way

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client

    def incr(self, key, delta=1, version=None):
        if not self.scripts:
            return super().incr(key, delta, version)
        made = self.make_and_validate_key(key, version=version)
        try:
            value = self._cache.get_client(made, write=True).eval(_INCR_EXISTING, 1, made, delta)
        except ResponseError:
            logger.warning("Redis refused a script; counting in two round trips.")
            self.scripts = False
            return super().incr(key, delta, version)
        if value is None:
            raise ValueError(f"Key '{made}' not found.")
        return value


def _falls_back(name: str):
    def method(self, *args, **kwargs):
        try:
            return getattr(_RedisCache, name)(self, *args, **kwargs)
        except _DOWN as error:
            now = time.monotonic()
            if self._warned_at is None or now - self._warned_at > WARN_EVERY:
                logger.warning("Cache on Redis unavailable (%s); using process memory.", error)
                self._warned_at = now
            return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class FallbackRedisCache(_RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"fallback-{id(self)}", params)
        self._warned_at: float | None = None

    add = _falls_back("add")
    get = _falls_back("get")
    set = _falls_back("set")
    touch = _falls_back("touch")
    delete = _falls_back("delete")
    get_many = _falls_back("get_many")
    has_key = _falls_back("has_key")
    incr = _falls_back("incr")
    set_many = _falls_back("set_many")
    delete_many = _falls_back("delete_many")
    clear = _falls_back("clear")
