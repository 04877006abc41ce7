"""Redis absent at start-up: pages, forms and the API work; live delivery says it is paused,
logs why, and comes back by itself when Redis does, without restarting the server."""

import asyncio
import json

import pytest

from tests.reliability import clients, servers
from tests.reporting import report

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(180)]


def test_without_redis_pages_forms_and_api_work_and_live_recovers(
    fault_databases, workdir, processes, start_server, own_redis
):
    database, data = fault_databases.fresh(), fault_databases.data
    own_redis.stop()  # its port stays reserved for this test; nothing listens yet
    server = start_server(servers.base_env(database_url=database, redis_url=own_redis.url), "a")
    base, writer, topic = server.base, data["writer"], data["topic"]

    # A reader's page keeps trying in the background, as the page's script does.
    stop = asyncio.Event()
    reader = clients.LiveClient(
        [base], data["readers"][0], topic, data["first_event"], max_delay=2
    )

    async def scenario():
        following = asyncio.create_task(reader.run(stop))
        await clients.until(
            lambda: reader.unavailable >= 1, 60, "the socket to say live is paused"
        )
        await clients.until(lambda: 4503 in reader.closes, 30, "the close 'try again later'")

        page = await asyncio.to_thread(clients.http, base, f"/topics/{topic}/", session=writer)
        assert page[0] == 200 and b"Live updates paused" in page[1]
        for path in ("/", f"/clusters/{data['cluster']}/forum/", "/search/?q=post"):
            status, _ = await asyncio.to_thread(clients.http, base, path, session=writer)
            assert status == 200, path
        form = await asyncio.to_thread(
            clients.http, base, f"/topics/{topic}/reply/", session=writer, form={"body": "by form"}
        )
        assert form[0] == 200 and b"by form" in form[1]
        api = await asyncio.to_thread(
            clients.http, base, f"/api/topics/{topic}/posts/", session=writer, body={"body": "api"}
        )
        assert api[0] == 201, api
        listed = await asyncio.to_thread(
            clients.http, base, f"/api/topics/{topic}/posts/", session=writer
        )
        assert listed[0] == 200 and len(json.loads(listed[1])["posts"]) == 3
        # allauth counts failed sign-ins in the cache, which lives on Redis.
        login = await asyncio.to_thread(
            clients.http,
            base,
            "/accounts/login/",
            session="",
            form={"login": "reader0@example.org", "password": "wrong password"},
        )
        assert login[0] == 200, login
        assert "Live delivery unavailable" in server.log()

        await asyncio.to_thread(own_redis.start)
        await clients.until(
            lambda: reader.last >= data["first_event"] + 2, 60, "catch-up after Redis"
        )
        await asyncio.to_thread(
            clients.http,
            base,
            f"/api/topics/{topic}/posts/",
            session=writer,
            body={"body": "live"},
        )
        await clients.until(lambda: reader.last >= data["first_event"] + 3, 60, "a live post")
        stop.set()
        await following

    asyncio.run(scenario())
    assert reader.applied == list(range(data["first_event"] + 1, data["first_event"] + 4))
    assert reader.duplicates == 0
    assert "Live delivery restored" in server.log()
    report("fault scenarios passed", 1)
