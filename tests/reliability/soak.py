"""`make soak`: 1,000 live clients held 5 minutes with heartbeats, a steady posting rate and
HTTP browsing, against two server processes (production's, Uvicorn, unless `--server`),
own Redis and a fresh PostgreSQL database.

Prints the same figures as the short run in `make test` (tests/reliability/test_load.py) and
exits 1 on any error or on server memory growth beyond the bound. Not part of pytest.
"""

import argparse
import asyncio
import os
import resource
import shutil
import sys

from tests.reliability import load, servers

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Two processes holding 1,000 sockets and ~600 posts x 1,000 deliveries for 5 minutes: buffers
# and caches settle well under this; a leak's steady climb does not.
MEMORY_GROWTH_BOUND_MIB = 128


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--post-every", type=float, default=0.5)
    parser.add_argument("--browsers", type=int, default=8)
    parser.add_argument("--heartbeat", type=float, default=20)
    parser.add_argument("--members", type=int, default=200, help="signed-in members (tabs share)")
    parser.add_argument("--server", choices=sorted(servers.SERVERS), default=servers.PRODUCTION)
    options = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("make soak needs the redis-server binary on PATH")
    # Each client holds a socket here and one in a server process.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))

    databases = servers.Databases(POSTGRES_URL, readers=options.members)
    workdir = servers.workdir()
    started: list = []
    try:
        print(f"preparing a database with {options.members} members…", flush=True)
        databases.prepare()
        database = databases.fresh()
        redis = servers.RedisServer(workdir)
        started.append(redis)
        redis.start()
        env = servers.base_env(database_url=database, redis_url=redis.url, **load.SERVER_ENV)
        running = []
        for number in range(options.servers):
            server = servers.SERVERS[options.server](env, workdir, f"{options.server}{number}")
            started.append(server)
            server.start()
            running.append(server)
        print(f"{options.clients} clients for {options.seconds:.0f} s…", flush=True)
        result = asyncio.run(
            load.run(
                servers=running,
                data=databases.data,
                clients_count=options.clients,
                seconds=options.seconds,
                post_every=options.post_every,
                browsers=options.browsers,
                heartbeat_every=options.heartbeat,
                connect_timeout=300,
            )
        )
    finally:
        for process in reversed(started):
            process.stop()
        databases.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{result.summary()} (bound +{MEMORY_GROWTH_BOUND_MIB} MiB)")
    for error in (result.http_errors + result.socket_errors)[:20]:
        print(f"  {error}")
    return 0 if result.errors == 0 and result.growth_mib <= MEMORY_GROWTH_BOUND_MIB else 1


if __name__ == "__main__":
    sys.exit(main())
