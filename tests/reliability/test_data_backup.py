"""Backup and restore of PostgreSQL as docs/operations.md describes it, done for real.

A database is migrated and loaded with the demo network (`seed_demo`), dumped with pg_dump in
its custom format, restored with pg_restore into a database created empty, and every table
of the two is compared: the same rows (a checksum of each row's text, in order) and the
same counts. Needs a PostgreSQL server and its client programs; skipped with the reason
otherwise (failed in CI).
"""

import glob
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings

from tests.conftest import IN_CI

pytestmark = [pytest.mark.stack, pytest.mark.postgres]

# Databases this test creates and drops on the server: its own names, never the app's.
PREFIX = os.environ.get("BACKUP_TEST_DATABASE_PREFIX", "pioneros_backup_test")


def client_program(name: str) -> str:
    """pg_dump or pg_restore: on the PATH, or Debian's versioned directories (newest first)."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        message = f"{name} is not installed (the PostgreSQL client programs)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def url_of(server_url: str, database: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


def libpq(url: str) -> str:
    """The URL as pg_dump and psycopg take it (they do not know the postgres:// alias)."""
    return "postgresql" + url[url.index("://") :] if url.startswith("postgres://") else url


def run_app(database_url: str, *commands: str) -> None:
    """Management commands in a process of their own, on the given database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
    }
    env.pop("REDIS_URL", None)
    for command in commands:
        done = subprocess.run(
            [sys.executable, "manage.py", *command.split()],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"


def tables_and_checksums(url: str) -> dict[str, tuple[int, str]]:
    """Each table of the public schema: its row count and an md5 of its rows, in order."""
    found = {}
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        for table in tables:
            rows = "string_agg(t::text, E'\\n' ORDER BY t::text)"
            count, checksum = conn.execute(
                f"SELECT count(*), md5(coalesce({rows}, '')) FROM \"{table}\" t"
            ).fetchone()
            found[table] = (count, checksum)
    return found


def sequences(url: str) -> dict[str, int]:
    """Where each id sequence stands: a restored database must not hand out used ids."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        return dict(
            conn.execute(
                "SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences "
                "WHERE schemaname = 'public'"
            ).fetchall()
        )


def test_a_dump_restored_into_a_fresh_database_holds_every_row(postgres_url, tmp_path: Path):
    pg_dump, pg_restore = client_program("pg_dump"), client_program("pg_restore")
    token = secrets.token_hex(3)
    source, restored = f"{PREFIX}_source_{token}", f"{PREFIX}_restored_{token}"
    admin = psycopg.connect(libpq(postgres_url), autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{source}"')
        source_url = url_of(postgres_url, source)
        run_app(source_url, "migrate --noinput", "seed_demo")

        dump = tmp_path / "pioneros.dump"
        subprocess.run(
            [pg_dump, "--format=custom", "--file", str(dump), "--dbname", libpq(source_url)],
            check=True,
            timeout=300,
        )
        admin.execute(f'CREATE DATABASE "{restored}" TEMPLATE template0')
        restored_url = url_of(postgres_url, restored)
        subprocess.run(
            [
                pg_restore,
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                libpq(restored_url),
                str(dump),
            ],
            check=True,
            timeout=300,
        )

        before, after = tables_and_checksums(source_url), tables_and_checksums(restored_url)
        assert sorted(after) == sorted(before)
        differing = [table for table in before if before[table] != after[table]]
        assert differing == [], differing
        rows = sum(count for count, _checksum in before.values())
        assert before["network_user"][0] > 10 and before["incentives_ledgerentry"][0] > 0
        assert sequences(restored_url) == sequences(source_url)
        print(f"backup: {len(before)} tables, {rows} rows restored identical")

        # The restored database is one the app runs on: nothing left to migrate, and the
        # ledger it holds reconciles.
        run_app(restored_url, "migrate --check", "reconcile")
    finally:
        for database in (source, restored):
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
