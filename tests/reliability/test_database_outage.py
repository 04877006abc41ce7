"""PostgreSQL lost and back: 503 while it is away, no restart needed, nothing half-written;
live sockets, whose threads keep their connections, follow the database back at once.

The server reaches PostgreSQL through a loopback proxy the test cuts (new connections refused,
open ones dropped), and the backend of a write caught mid-transaction is terminated with
pg_terminate_backend, as an administrator or a failover would.
"""

import asyncio
import json
import threading
from urllib.parse import urlsplit

import psycopg
import pytest
import websockets

from tests.reliability import clients, servers
from tests.reporting import report

pytestmark = [pytest.mark.stack, pytest.mark.postgres, pytest.mark.timeout(240)]


def _connect(database_url: str) -> psycopg.Connection:
    return psycopg.connect(database_url, autocommit=True)


def test_database_outage_answers_503_recovers_and_leaves_nothing_half_written(
    fault_databases, processes, start_server
):
    database, data = fault_databases.fresh(), fault_databases.data
    real = urlsplit(database)
    proxy = servers.TcpProxy(real.port or 5432)
    proxy.start()
    processes.append(proxy)
    through_proxy = database.replace(f":{real.port}/", f":{proxy.port}/")
    server = start_server(servers.base_env(database_url=through_proxy, redis_url=None), "a")
    base, writer, topic = server.base, data["writer"], data["topic"]
    api = f"/api/topics/{topic}/posts/"
    assert clients.http(base, f"/topics/{topic}/", session=writer)[0] == 200
    with _connect(database) as check:
        before = _post_counts(check, topic)
    # A live page open before the outage: the socket threads now hold connections.
    seen = clients.topic_event_ids(base, writer, topic, 0)
    assert asyncio.run(_caught_up(base, writer, topic, after=0)) == seen

    # A reply caught mid-transaction: its post is inserted and the topic counted, then it
    # waits for the forum's row, which the test holds, while the database goes away.
    status, body = _cut_mid_transaction(
        database,
        proxy,
        lock=("SELECT 1 FROM forums_room WHERE id = %s FOR UPDATE", [data["room"]]),
        write=lambda: clients.http(base, api, session=writer, body={"body": "half written"}),
    )
    assert status == 503, body[:2000]
    assert json.loads(body)["error"] == "unavailable"

    # While it is away: pages, forms and the API answer 503, never a traceback.
    page = clients.http(base, f"/topics/{topic}/", session=writer)
    assert page[0] == 503 and b"Temporarily unavailable" in page[1], page[1][:500]
    assert b"Traceback" not in page[1]
    form = clients.http(base, f"/topics/{topic}/reply/", session=writer, form={"body": "form"})
    assert form[0] == 503
    listed = clients.http(base, api, session=writer)
    assert listed[0] == 503 and json.loads(listed[1])["error"] == "unavailable"
    assert "Database unavailable" in server.log()
    # A live page connecting now is told to retry later, as when Redis is away.
    assert asyncio.run(_refused(base, writer)) == ({"type": "unavailable"}, 4503)

    # Back: the same process serves again and takes new writes.
    _restore(proxy, base, f"/topics/{topic}/", writer)
    assert clients.http(base, api, session=writer, body={"body": "after"})[0] == 201
    # And the page's next attempt catches up, over connections opened anew.
    assert asyncio.run(_caught_up(base, writer, topic, after=seen[-1])) == [seen[-1] + 1]

    # A mentor accepting a pairing, caught after counting the place and opening the pair's
    # private conversation, before the pairing itself is saved as active.
    accept = f"/mentoring/pairings/{data['pairing']}/accept/"
    status, body = _cut_mid_transaction(
        database,
        proxy,
        lock=(
            "SELECT 1 FROM mentoring_suggestion WHERE follower_id = %s FOR UPDATE",
            [data["follower"]],
        ),
        write=lambda: clients.http(base, accept, session=data["mentor"], form={}),
    )
    assert status == 503 and b"Temporarily unavailable" in body, body[:2000]
    with _connect(database) as check:
        assert _pairing_state(check, data["pairing"], data["offer"]) == ("requested", 0, 0)
    _restore(proxy, base, f"/mentoring/pairings/{data['pairing']}/", data["mentor"])
    assert clients.http(base, accept, session=data["mentor"], form={})[0] == 200

    with _connect(database) as check:
        bodies = [
            row[0]
            for row in check.execute(
                "SELECT body FROM forums_post WHERE topic_id = %s ORDER BY id", [topic]
            )
        ]
        assert bodies == ["First", "after"]
        # One more post in every counter and one more event: the cut reply left none.
        assert _post_counts(check, topic) == tuple(count + 1 for count in before)
        # Accepted once, after the outage: one place taken, one conversation.
        assert _pairing_state(check, data["pairing"], data["offer"]) == ("active", 1, 1)
    # Every credit account still sums to its entries.
    reconciled = servers.manage(database, "reconcile")
    assert reconciled.returncode == 0, reconciled.stderr
    report("fault scenarios passed", 1)


def _cut_mid_transaction(database: str, proxy, *, lock, write) -> tuple[int, bytes]:
    """Start `write` while holding `lock`; once it waits, cut the database away from it."""
    answer: dict = {}
    with _connect(database) as holder:
        holder.execute("BEGIN")
        holder.execute(*lock)
        writing = threading.Thread(target=lambda: answer.update(result=write()))
        writing.start()
        with _connect(database) as watcher:
            servers.wait_for(
                lambda: watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                ).fetchone()[0],
                timeout=60,
                what="the write to wait mid-transaction",
            )
            proxy.cut()
            watcher.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s",
                [holder.info.backend_pid],
            )
        writing.join(timeout=60)
        holder.execute("ROLLBACK")
    return answer["result"]


def _forum_socket(base: str, session: str):
    return websockets.connect(
        base.replace("http", "ws", 1) + "/ws/forums/",
        origin=base,
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=20,
    )


async def _caught_up(base: str, session: str, topic: int, *, after: int) -> list[int]:
    """The event ids a socket subscribing with `after` is sent before `subscribed`."""
    async with _forum_socket(base, session) as socket:
        await socket.send(json.dumps({"type": "subscribe", "topic": topic, "after": after}))
        ids = []
        while (event := json.loads(await asyncio.wait_for(socket.recv(), 20)))["type"] != (
            "subscribed"
        ):
            ids.append(event["id"])
        return ids


async def _refused(base: str, session: str) -> tuple[dict, int]:
    """What a socket is sent on connecting, and the code it is closed with."""
    async with _forum_socket(base, session) as socket:
        said = json.loads(await asyncio.wait_for(socket.recv(), 20))
        with pytest.raises(websockets.exceptions.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), 20)
        return said, socket.close_code


def _restore(proxy, base: str, path: str, session: str) -> None:
    proxy.restore()
    servers.wait_for(
        lambda: clients.http(base, path, session=session)[0] == 200,
        timeout=30,
        what="pages after the database came back",
    )


def _post_counts(check: psycopg.Connection, topic: int) -> tuple[int, int, int, int]:
    return check.execute(
        "SELECT (SELECT count(*) FROM forums_post p WHERE p.topic_id = t.id), t.post_count,"
        " r.post_count, (SELECT count(*) FROM forums_topicevent e WHERE e.topic_id = t.id)"
        " FROM forums_topic t JOIN forums_room r ON r.id = t.room_id WHERE t.id = %s",
        [topic],
    ).fetchone()


def _pairing_state(check: psycopg.Connection, pairing: int, offer: int) -> tuple[str, int, int]:
    """The pairing's status, the offer's places taken, and conversations opened for it."""
    return check.execute(
        "SELECT p.status, o.active_mentees,"
        " (SELECT count(*) FROM forums_room r WHERE r.kind <> 'forum')"
        " FROM mentoring_pairing p JOIN mentoring_mentoroffer o ON o.id = p.offer_id"
        " WHERE p.id = %s AND o.id = %s",
        [pairing, offer],
    ).fetchone()
