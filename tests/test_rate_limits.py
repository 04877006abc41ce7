"""Per-member rates counted in the shared Redis cache, as every process of a server counts
them (core/throttle.py, config/cache.py)."""

import secrets

import pytest
from redis.exceptions import ResponseError

from config.cache import FallbackRedisCache
from core import throttle


@pytest.fixture
def shared(redis_url, monkeypatch):
    """Two processes' caches on one Redis, with keys of their own for this test."""
    prefix = f"rates-{secrets.token_hex(4)}"
    first = FallbackRedisCache(redis_url, {"KEY_PREFIX": prefix})
    second = FallbackRedisCache(redis_url, {"KEY_PREFIX": prefix})
    monkeypatch.setattr(throttle, "_wall", lambda: 1_000_000.5)  # mid-window, every call
    yield first, second
    client = first._cache.get_client(write=True)  # only this test's keys: the database is shared
    client.delete(*client.keys(f"{prefix}:*") or ["-"])


def test_a_count_is_added_to_only_where_it_exists(shared):
    cache, _other = shared
    with pytest.raises(ValueError):
        cache.incr("absent")
    assert cache.get("absent") is None  # the refused increment created nothing
    cache.set("present", 4)
    assert cache.incr("present") == 5
    assert cache.decr("present") == 4


def test_a_rate_is_shared_by_processes_and_refusals_are_not_counted(shared, monkeypatch):
    first, second = shared
    monkeypatch.setattr(throttle, "cache", first)
    allowed = [throttle.within_rate("posts:7", limit=3, per=60) for _ in range(2)]
    monkeypatch.setattr(throttle, "cache", second)
    allowed += [throttle.within_rate("posts:7", limit=3, per=60) for _ in range(3)]
    assert allowed == [True, True, True, False, False]
    assert second.get(f"rate:posts:7:{1_000_000 // 60}") == 3


def test_a_server_that_refuses_scripts_still_counts(shared, monkeypatch):
    cache, _other = shared

    def refused(*args, **kwargs):
        raise ResponseError("NOPERM this user has no permissions to run the 'eval' command")

    monkeypatch.setattr(type(cache._cache.get_client(write=True)), "eval", refused)
    cache.set("present", 1)
    assert [cache.incr("present"), cache.incr("present")] == [2, 3]
    with pytest.raises(ValueError):
        cache.incr("absent")
