"""Two server processes (production's) on real PostgreSQL and Redis: posts made through one
reach the other."""

import asyncio
import json

import pytest
import websockets

from tests.reliability import servers

POSTS = 20


@pytest.fixture
def stack(postgres_url, redis_url, tmp_path):
    """A fresh seeded database and two server processes sharing one Redis
    (tests/reliability/servers.py): a follower reads, the coordinator writes."""
    databases = servers.Databases(postgres_url, readers=1)
    running = []
    try:
        databases.prepare()
        env = servers.base_env(database_url=databases.fresh(), redis_url=redis_url)
        for name in ("reader", "writer"):
            running.append(servers.SERVERS[servers.PRODUCTION](env, tmp_path, name))
            running[-1].start()
        seeded = databases.data
        data = {
            "topic": seeded["topic"],
            "reader": seeded["readers"][0],
            "writer": seeded["writer"],
        }
        yield data, [server.port for server in running]
    finally:
        for server in running:
            server.stop()
        databases.drop_all()


async def _exchange(data: dict, ports: list[int]) -> list[dict]:
    def connect(port, session):
        return websockets.connect(
            f"ws://127.0.0.1:{port}/ws/forums/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": f"sessionid={session}"},
        )

    async with (
        connect(ports[0], data["reader"]) as reader,
        connect(ports[1], data["writer"]) as writer,
    ):
        await reader.send(json.dumps({"type": "subscribe", "topic": data["topic"], "after": 1}))
        assert json.loads(await reader.recv())["type"] == "subscribed"
        for i in range(POSTS):
            await writer.send(
                json.dumps({"type": "post", "topic": data["topic"], "body": f"n{i}"})
            )
        received = []
        async with asyncio.timeout(30):
            while len(received) < POSTS:
                event = json.loads(await reader.recv())
                if event.get("type") == "post.created":
                    received.append(event)
        return received


@pytest.mark.postgres
@pytest.mark.redis
def test_posts_through_one_server_reach_a_client_of_the_other_in_order(stack):
    data, ports = stack
    received = asyncio.run(_exchange(data, ports))
    assert [event["id"] for event in received] == list(range(2, POSTS + 2))
    bodies = [event["post"]["html"] for event in received]
    assert all(f"n{i}" in body for i, body in enumerate(bodies))
