"""The Redis watchdog ends when its event loop shuts down, wherever the cancellation lands."""

import asyncio
import uuid

import pytest

from config import live

pytestmark = [pytest.mark.redis, pytest.mark.timeout(120)]


async def test_the_watchdog_ends_when_cancelled_mid_command(redis_url, settings):
    """A server's shutdown (and each test's loop) cancels the watchdog. A cancellation that
    redis-py swallowed mid-command left it looping, and the loop's close waited for ever."""
    settings.REDIS_URL = redis_url
    prefix = f"watchdog-{uuid.uuid4().hex}"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "memory", "CONFIG": {"prefix": prefix}}}
    client = live._probe_client()
    try:
        # The window in which redis-py swallows it is a fraction of a millisecond wide.
        for step in range(60):
            watchdog = asyncio.ensure_future(live._watch(client))
            await asyncio.sleep(step * 0.00005)
            watchdog.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(watchdog, 2 * live.WATCH_EVERY + 1)
    finally:
        await client.delete(f"{prefix}:epoch")
        await client.aclose()
