"""Replies written at once: each counted, numbered and announced exactly once, and writers
of different topics of a forum not queued behind one another."""

import datetime
import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from forums import realtime, services
from forums.models import Notification, Post, Room, Topic
from forums.services._shared import count_in_room, topic_for_update
from network.models import Cluster
from tests.concurrency import race
from tests.forums.conftest import build_forum

WRITERS, REPLIES = 4, 5

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are checked in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)


@pytest.fixture
def sent(monkeypatch):
    """The live messages handed to the layer after commit, in order."""
    messages = []
    monkeypatch.setattr(realtime, "send", lambda group, message: messages.append(message))
    return messages


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared", [True, False], ids=["one topic", "a topic each"])
def test_concurrent_replies_are_each_counted_numbered_and_announced_once(sent, shared):
    forum = build_forum()
    topics = [
        services.start_topic(
            room=forum.room, author=forum.follower, title=f"Reefers {i}", body="Which line?"
        )
        for i in range(1 if shared else WRITERS)
    ]
    writers = iter(range(WRITERS))
    lock = threading.Lock()

    def write():
        with lock:
            number = next(writers)
        topic = topics[0 if shared else number]
        for reply in range(REPLIES):
            services.post_reply(topic=topic, author=forum.mentor, body=f"{number}.{reply}")

    assert race(WRITERS, write) == []
    replies = WRITERS * REPLIES
    for topic in topics:
        topic.refresh_from_db()
        numbers = list(topic.events.order_by("number").values_list("number", flat=True))
        posts = topic.posts.count()
        # The opening post and every reply: one event each, numbered 1..n without a gap.
        assert numbers == list(range(1, posts + 1))
        assert topic.post_count == posts == topic.last_event_id
    assert Post.objects.filter(topic__in=topics).count() == len(topics) + replies
    room = Room.objects.get(pk=forum.room.pk)
    assert (room.topic_count, room.post_count) == (len(topics), len(topics) + replies)
    assert Notification.objects.filter(kind="reply", recipient=forum.follower).count() == replies
    events = [m["event"] for m in sent if m.get("type") == "forum.event"]
    created = [(e["topic"], e["id"]) for e in events if e["type"] == "post.created"]
    assert len(created) == len(set(created)) == len(topics) + replies
    changes = [m["event"] for m in sent if m["event"].get("type") == "topic.updated"]
    assert len(changes) == replies


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_reply_in_one_topic_does_not_wait_for_a_writer_in_another_topic_of_the_forum():
    forum = build_forum()
    held, other = (
        services.start_topic(room=forum.room, author=forum.follower, title=t, body="Hello")
        for t in ("Held", "Other")
    )
    done, failures = threading.Event(), []

    def reply():
        try:
            services.post_reply(topic=other, author=forum.mentor, body="Not kept waiting")
            done.set()
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        topic_for_update(held)  # a writer of the other topic, part way through its reply
        writer = threading.Thread(target=reply)
        writer.start()
        finished = done.wait(timeout=10)
    writer.join(timeout=10)
    assert failures == []
    assert finished, "the reply waited for a writer of another topic"


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_topic_a_writer_took_stays_locked_until_it_commits():
    forum = build_forum()
    topic = services.start_topic(room=forum.room, author=forum.mentor, title="Reefers", body="?")
    locked = []

    def try_topic():
        try:
            with transaction.atomic():
                Topic.objects.select_for_update(nowait=True).get(pk=topic.pk)
            locked.append(False)
        except DatabaseError:
            locked.append(True)
        finally:
            connections.close_all()

    with transaction.atomic():
        for _ in range(2):  # the statement built, then reused
            assert topic_for_update(topic).room.cluster == forum.cluster
            probe = threading.Thread(target=try_topic)
            probe.start()
            probe.join(timeout=10)
    probe = threading.Thread(target=try_topic)
    probe.start()
    probe.join(timeout=10)
    assert locked == [True, True, False]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_reply_in_a_conversation_holds_its_room_so_closing_cannot_cross_it():
    """Its room's row, not its cluster's: that one is every conversation's of the cluster."""
    forum = build_forum()
    room = services.open_conversation(
        cluster=forum.cluster, by=forum.mentor, participants=[forum.follower], title="Pairing"
    )
    topic = services.start_topic(room=room, author=forum.mentor, title="Pairing", body="Hi")
    with transaction.atomic():
        topic_for_update(topic)
        locked = []

        def try_lock(model, pk):
            try:
                with transaction.atomic():
                    model.objects.select_for_update(nowait=True).get(pk=pk)
                locked.append(False)
            except DatabaseError:
                locked.append(True)
            finally:
                connections.close_all()

        for model, pk in ((Room, room.pk), (Cluster, forum.cluster.pk)):
            probe = threading.Thread(target=try_lock, args=(model, pk))
            probe.start()
            probe.join(timeout=10)
    assert locked == [True, False]


@pytest.mark.django_db(transaction=True)
def test_a_topic_started_and_replied_to_counts_once_in_its_forum(sent):
    forum = build_forum()
    before = time.time()
    topic = services.start_topic(
        room=forum.room, author=forum.follower, title="Cold chain", body="Who ships?"
    )
    services.post_reply(topic=topic, author=forum.mentor, body="We do.")
    room = Room.objects.get(pk=forum.room.pk)
    assert (room.topic_count, room.post_count) == (1, 2)
    assert room.last_activity_at.timestamp() >= before
    assert room.last_activity_at == topic.posts.order_by("-id").first().created_at


@pytest.mark.django_db
def test_a_reply_committing_after_a_newer_one_leaves_the_forum_s_latest_activity():
    # Replies in two topics commit in any order; the forum shows the newest, not the last
    # to commit.
    forum = build_forum()
    newer = timezone.now()
    count_in_room(forum.room.pk, at=newer, posts=1)
    count_in_room(forum.room.pk, at=newer - datetime.timedelta(seconds=3), posts=1)
    room = Room.objects.get(pk=forum.room.pk)
    assert room.last_activity_at == newer
    assert room.post_count == forum.room.post_count + 2
