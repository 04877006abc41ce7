"""Two Daphne processes on real PostgreSQL and Redis: posts made through one reach the other."""

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
import websockets

ROOT = Path(__file__).resolve().parents[2]
POSTS = 20

SETUP = """
import json, django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from forums import services
from network import services as network
from network.models import Membership, User

def session(user):
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key

reader = User.objects.create_user(email="reader@example.org", password="x-password-1")
writer = User.objects.create_user(email="writer@example.org", password="x-password-2")
cluster = network.create_cluster(creator=reader, name="Cross process", sector="agrifood",
                                 country="CO", visibility="private")
Membership.objects.create(user=writer, cluster=cluster, role="mentor", status="active")
topic = services.start_topic(room=services.forum_of(cluster), author=reader, title="T", body="Q")
print(json.dumps({"topic": topic.pk, "reader": session(reader), "writer": session(writer)}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Daphne on {port} exited: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Daphne on {port} did not answer within 30 s")


@pytest.fixture
def stack(postgres_url, redis_url):
    """A fresh database, the demo data above, and two Daphne processes sharing one Redis."""
    name = f"pioneros_xproc_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"{postgres_url.rsplit('/', 1)[0]}/{name}",
        "REDIS_URL": redis_url,
        "CHANNELS_PREFIX": f"xproc-{secrets.token_hex(4)}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "POSTS_PER_MINUTE": str(POSTS),  # the writer posts them all at once
    }
    servers = []
    try:
        run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 180}
        migrated = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], **run)
        assert migrated.returncode == 0, migrated.stderr
        made = subprocess.run([sys.executable, "-c", SETUP], **run)
        assert made.returncode == 0, made.stderr
        data = json.loads(made.stdout.strip().splitlines()[-1])
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "config.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            servers.append((port, process))
            _wait_until_serving(port, process)
        yield data, [port for port, _ in servers]
    finally:
        for _port, process in servers:
            process.terminate()
            process.wait(timeout=10)
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
