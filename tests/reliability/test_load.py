"""The short load run in `make test`: 100 live clients held 30 s with heartbeats, a steady
posting rate and HTTP browsing, on each real server, Redis and PostgreSQL. `make soak` is the full
run (1,000 clients, 5 minutes)."""

import asyncio

import pytest

from tests.reliability import load, servers
from tests.reporting import report

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(300)]

# Holding 100 sockets and serving ~100 posts x 100 deliveries may cost buffers and caches,
# not a leak's steady climb; more than this over 30 s is a leak to look at.
MEMORY_GROWTH_BOUND_MIB = 64


def test_hundred_clients_for_thirty_seconds_without_an_error(
    fault_databases, own_redis, start_server, capsys
):
    database, data = fault_databases.fresh(), fault_databases.data
    server = start_server(
        servers.base_env(database_url=database, redis_url=own_redis.url, **load.SERVER_ENV), "a"
    )
    result = asyncio.run(
        load.run(
            servers=[server],
            data=data,
            clients_count=100,
            seconds=30,
            post_every=0.5,
            browsers=4,
            heartbeat_every=5,
        )
    )
    with capsys.disabled():
        print(f"\n{result.summary()} (bound +{MEMORY_GROWTH_BOUND_MIB} MiB)")
    report("load errors", result.errors)
    report("load p99 page time (ms)", round(result.p99_ms))
    report("load server memory growth (MiB)", round(result.growth_mib))
    report("lost messages", result.lost)
    report("duplicated messages", result.duplicated)
    assert result.errors == 0, (result.http_errors[:10], result.socket_errors[:10])
    # Four closed-loop browsers: a busy machine serves fewer pages, each still timed.
    assert result.posts == 60 and result.pages >= 40, result.summary()
    assert result.growth_mib <= MEMORY_GROWTH_BOUND_MIB, result.summary()
