"""Start-up from the environment: the embedded default, real servers, and production values."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "pioneros.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "EMAIL_HOST",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# A message goes round the layer: a pub/sub layer delivers only to a channel already
# listening, as a connected consumer's is: the message is sent until the receive has it.
PROBE = """
import asyncio, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from channels.layers import get_channel_layer
from django.db import connection

async def round_trip(layer):
    name = await layer.new_channel()
    received = asyncio.ensure_future(layer.receive(name))
    async with asyncio.timeout(30):
        while not received.done():  # sent again until the subscription has taken
            await layer.send(name, {"type": "probe"})
            await asyncio.wait([received], timeout=0.2)
    assert received.result() == {"type": "probe"}

connection.ensure_connection()
layer = get_channel_layer()
asyncio.run(round_trip(layer))
print(connection.vendor, type(layer).__name__)
"""


def test_embedded_default_starts_on_sqlite_and_memory_layer(tmp_path):
    result = _run(
        {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}, "-c", PROBE
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sqlite", "InMemoryChannelLayer"]


def test_real_servers_configuration_starts(postgres_url, redis_url):
    result = _run(
        {"DEBUG": "true", "DATABASE_URL": postgres_url, "REDIS_URL": redis_url}, "-c", PROBE
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql", "RedisPubSubChannelLayer"]


def test_check_deploy_is_clean_with_production_values():
    result = _run(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"EMAIL_HOST": ""}, "EMAIL_HOST"),
        ({"DATABASE_URL": "mysql://db.example.org/pioneros"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres:///pioneros"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
        ({"DATABASE_CONN_MAX_AGE": "forever"}, "DATABASE_CONN_MAX_AGE"),
        (
            {"DATABASE_URL": "postgres://db.example.org/pioneros", "DATABASE_POOL_SIZE": "many"},
            "DATABASE_POOL_SIZE",
        ),
        (
            {"DATABASE_URL": "postgres://db.example.org/pioneros", "DATABASE_CONN_MAX_AGE": "60"},
            "DATABASE_POOL_SIZE=0",
        ),
        (
            {"DATABASE_URL": "postgres://db.example.org/pioneros", "DATABASE_POOL_WAIT": "0"},
            "DATABASE_POOL_WAIT",
        ),
    ],
)
def test_bad_production_value_stops_start_up_with_one_line_naming_it(change, named):
    result = _run({**PRODUCTION, **change}, "manage.py", "check")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error:") and named in lines[0]


def test_daphne_refuses_to_start_without_secret_key():
    result = _run(
        {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"},
        "-m",
        "daphne",
        "config.asgi:application",
    )
    assert result.returncode != 0
    assert "Configuration error: SECRET_KEY" in result.stderr
