"""Subscribes arriving together, as a crowd reconnecting after a restart: one trip to a
database thread and one statement for all of them (core.gathered), each socket answered as
it would be alone."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.db import DatabaseError

from forums import consumers, realtime, services
from tests.forums.test_consumers import _setup, _socket

pytestmark = pytest.mark.django_db(transaction=True)
db = database_sync_to_async


@pytest.fixture
def trips(monkeypatch) -> list[int]:
    """The subscribes each trip to a database thread reads, in order."""
    made = []
    read_all = consumers._catch_ups.read_all

    async def counted(asked):
        made.append(len(asked))
        return await read_all(asked)

    monkeypatch.setattr(consumers._catch_ups, "read_all", counted)
    return made


async def test_subscribes_arriving_together_share_one_trip(trips):
    forum, topic = await _setup()
    await db(services.post_reply)(topic=topic, author=forum.mentor, body="CIF, to begin.")
    last = (await db(type(topic).objects.get)(pk=topic.pk)).last_event_id
    asked = [
        (forum.mentor, topic.pk, last),  # up to date
        (forum.follower, topic.pk, last - 1),  # missed the reply
        (forum.outsider, topic.pk, 0),  # not inside the cluster
        (forum.coordinator, 10**9, 0),  # no such topic
        (forum.coordinator, topic.pk, last - 1),  # missed the same: read once, shared
    ]
    found = await asyncio.gather(*(consumers._catch_ups(question) for question in asked))
    assert trips == [5]
    assert found[0] == ([], True)
    missed, complete = found[1]
    assert complete and [payload["id"] for payload, _text in missed] == [last]
    assert "CIF, to begin." in missed[0][0]["post"]["html"]
    assert found[2] is None and found[3] is None
    assert found[4] == found[1]
    # Alone, a subscribe waits for no one.
    assert await consumers._catch_ups((forum.mentor, topic.pk, last)) == ([], True)
    assert trips == [5, 1]


async def test_one_pages_failed_read_is_its_answer_alone(monkeypatch, trips):
    forum, topic = await _setup()
    last = (await db(type(topic).objects.get)(pk=topic.pk)).last_event_id

    def away(topic, after):
        raise DatabaseError("the events table is away")

    monkeypatch.setattr(realtime, "missed_events", away)
    behind, current = await asyncio.gather(
        consumers._catch_ups((forum.follower, topic.pk, 0)),
        consumers._catch_ups((forum.mentor, topic.pk, last)),
        return_exceptions=True,
    )
    assert trips == [2]  # one trip: the failure stayed with its page
    assert isinstance(behind, DatabaseError)
    assert current == ([], True)


async def test_a_crowd_of_sockets_subscribes_in_fewer_trips_than_sockets(client, trips):
    forum, topic = await _setup()
    people = [forum.mentor, forum.follower, forum.coordinator] * 2
    sockets = []
    for person in people:
        communicator, connected, _code = await _socket(client, person)
        assert connected
        sockets.append(communicator)
    for communicator in sockets:
        await communicator.send_json_to({"type": "subscribe", "topic": topic.pk, "after": 0})
    answers = [await communicator.receive_json_from() for communicator in sockets]
    # Every socket gets the topic's opening event, then its subscribed.
    assert [answer["type"] for answer in answers] == ["post.created"] * len(sockets)
    subscribed = [await communicator.receive_json_from() for communicator in sockets]
    assert {answer["type"] for answer in subscribed} == {"subscribed"}
    assert sum(trips) == len(sockets) and len(trips) < len(sockets)
    for communicator in sockets:
        await communicator.disconnect()
