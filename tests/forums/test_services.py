"""Forum rules as the services enforce them, for pages, API and socket alike."""

import pytest
from django.urls import reverse

from core.errors import DomainError, NotAllowed
from forums import services
from forums.models import HelpfulVote, ModerationAction, Notification, Post, PostRevision, Topic
from tests.factories import UserFactory, add_member, make_cluster
from tests.forums.conftest import build_forum

pytestmark = pytest.mark.django_db


def _question(forum, body="How do I get a certificate of origin for Germany?"):
    return services.start_topic(
        room=forum.room,
        author=forum.follower,
        title="Certificate of origin",
        body=body,
        kind=Topic.Kind.QUESTION,
        tags=["Rules of origin"],
    )


def test_topic_starts_with_its_first_post_and_counts(forum):
    topic = _question(forum)
    forum.room.refresh_from_db()
    assert (topic.post_count, forum.room.topic_count, forum.room.post_count) == (1, 1, 1)
    assert list(topic.tags.names()) == ["rules of origin"]
    assert topic.last_event_id == 1


def test_replies_number_their_events_in_order(forum):
    topic = _question(forum)
    for body in ["First answer", "Second answer"]:
        last = services.post_reply(topic=topic, author=forum.mentor, body=body)
    numbers = list(topic.events.order_by("number").values_list("number", "kind"))
    assert numbers == [(1, "post.created"), (2, "post.created"), (3, "post.created")]
    topic.refresh_from_db()
    assert (topic.post_count, topic.last_event_id) == (3, 3)
    assert topic.last_post_at == last.created_at  # the topic list orders by it


def test_outsider_cannot_write(forum):
    topic = _question(forum)
    with pytest.raises(NotAllowed):
        services.post_reply(topic=topic, author=forum.outsider, body="hi")
    with pytest.raises(NotAllowed):
        services.start_topic(room=forum.room, author=forum.outsider, title="x", body="y")
    assert Post.objects.count() == 1


def test_empty_or_huge_messages_are_refused(forum):
    topic = _question(forum)
    for body in ["   ", "x" * 20_001]:
        with pytest.raises(DomainError):
            services.post_reply(topic=topic, author=forum.mentor, body=body)
    assert topic.posts.count() == 1


def test_edit_keeps_history_and_marks_edited(forum):
    topic = _question(forum)
    post = topic.posts.get()
    services.edit_post(post=post, by=forum.follower, body="Corrected question")
    post.refresh_from_db()
    assert post.edited_at is not None and "Corrected" in post.body_html
    assert PostRevision.objects.get(post=post).body.startswith("How do I")
    with pytest.raises(NotAllowed):
        services.edit_post(post=post, by=forum.mentor, body="hijack")


def test_accepted_answer_can_move_and_solves_the_question(forum):
    topic = _question(forum)
    first = services.post_reply(topic=topic, author=forum.mentor, body="Ask the chamber.")
    second = services.post_reply(topic=topic, author=forum.coordinator, body="Use form A.")
    services.accept_answer(post=first, by=forum.follower)
    topic.refresh_from_db()
    assert topic.accepted_post == first and topic.is_solved
    services.accept_answer(post=second, by=forum.coordinator)
    topic.refresh_from_db()
    assert topic.accepted_post == second


def test_only_asker_or_coordinator_accepts(forum):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.coordinator, body="Use form A.")
    with pytest.raises(NotAllowed):
        services.accept_answer(post=answer, by=forum.mentor)
    with pytest.raises(DomainError):
        services.accept_answer(post=topic.posts.order_by("id").first(), by=forum.follower)


def test_helpful_votes_once_per_member_never_own(forum):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="Form A.")
    services.mark_helpful(post=answer, by=forum.follower)
    services.mark_helpful(post=answer, by=forum.follower)
    services.mark_helpful(post=answer, by=forum.coordinator)
    answer.refresh_from_db()
    assert answer.helpful_count == 2 == HelpfulVote.objects.filter(post=answer).count()
    with pytest.raises(DomainError):
        services.mark_helpful(post=answer, by=forum.mentor)
    services.unmark_helpful(post=answer, by=forum.follower)
    answer.refresh_from_db()
    assert answer.helpful_count == 1


def test_mentions_notify_members_only(forum):
    topic = _question(forum)
    services.post_reply(
        topic=topic,
        author=forum.coordinator,
        body="@marta-mentor can you help? @otto-outsider too",
    )
    mentioned = set(
        Notification.objects.filter(kind="mention").values_list("recipient", flat=True)
    )
    assert mentioned == {forum.mentor.pk}


def test_in_a_conversation_only_its_participants_are_named_and_told(forum):
    room = services.open_conversation(
        cluster=forum.cluster, by=forum.mentor, participants=[forum.follower], title="Pairing"
    )
    topic = services.start_topic(room=room, author=forum.mentor, title="Pairing", body="Hi")
    for _ in range(2):  # a statement built, then reused
        post = services.post_reply(
            topic=topic, author=forum.follower, body="@marta-mentor and @lucia-coord, see this"
        )
        assert f'href="{reverse("person", args=[forum.mentor.pk])}"' in post.body_html
        assert "@lucia-coord, see this" in post.body_html  # in the cluster, not in the room
        told = Notification.objects.filter(kind="mention", post=post)
        assert list(told.values_list("recipient", flat=True)) == [forum.mentor.pk]


def test_reply_notifies_topic_author_and_email_follows_preference(forum, mailoutbox, commit):
    topic = _question(forum)
    with commit():
        services.post_reply(topic=topic, author=forum.mentor, body="Form A at the chamber.")
    assert Notification.objects.filter(recipient=forum.follower, kind="reply").count() == 1
    assert mailoutbox == []  # replies are not emailed unless asked for
    with commit():
        services.post_reply(topic=topic, author=forum.mentor, body="Ping @felipe-follower")
    assert [m.to for m in mailoutbox] == [[forum.follower.email]]


def test_locked_topic_takes_replies_only_from_coordinators(forum):
    topic = _question(forum)
    services.set_topic_flags(topic=topic, by=forum.coordinator, locked=True)
    with pytest.raises(DomainError):
        services.post_reply(topic=topic, author=forum.mentor, body="late")
    services.post_reply(topic=topic, author=forum.coordinator, body="closing note")
    with pytest.raises(NotAllowed):
        services.set_topic_flags(topic=topic, by=forum.mentor, pinned=True)


def test_hiding_needs_a_reason_is_logged_and_unaccepts(forum):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="buy my product")
    services.accept_answer(post=answer, by=forum.follower)
    with pytest.raises(DomainError):
        services.hide_post(post=answer, by=forum.coordinator, reason=" ")
    services.hide_post(post=answer, by=forum.coordinator, reason="Advertising")
    answer.refresh_from_db()
    topic.refresh_from_db()
    assert answer.is_hidden and answer.hidden_reason == "Advertising"
    assert topic.accepted_post is None
    assert ModerationAction.objects.filter(action="hide", post=answer).exists()
    assert Notification.objects.filter(recipient=forum.mentor, kind="moderation").exists()


def test_move_topic_between_forums_the_mover_coordinates(forum):
    topic = _question(forum)
    other = make_cluster(coordinator=forum.coordinator, name="Other cluster")
    target = services.forum_of(other)
    services.move_topic(topic=topic, by=forum.coordinator, to=target)
    topic.refresh_from_db()
    forum.room.refresh_from_db()
    target.refresh_from_db()
    assert topic.room == target
    assert (forum.room.topic_count, target.topic_count, target.post_count) == (0, 1, 1)
    foreign = services.forum_of(make_cluster(name="Not mine"))
    with pytest.raises(NotAllowed):
        services.move_topic(topic=topic, by=forum.coordinator, to=foreign)


def test_conversation_is_for_its_participants_only(forum):
    room = services.open_conversation(
        cluster=forum.cluster, by=forum.mentor, participants=[forum.follower], title="Mentoring"
    )
    topic = services.start_topic(room=room, author=forum.mentor, title="Plan", body="Week 1")
    services.post_reply(topic=topic, author=forum.follower, body="Thanks")
    with pytest.raises(NotAllowed):
        services.post_reply(topic=topic, author=forum.coordinator, body="peek")
    with pytest.raises(DomainError):
        services.open_conversation(
            cluster=forum.cluster, by=forum.mentor, participants=[forum.outsider], title="x"
        )


def test_suspended_member_can_no_longer_post(forum):
    topic = _question(forum)
    forum.mentor.memberships.update(status="suspended")
    fresh = type(forum.mentor).objects.get(pk=forum.mentor.pk)
    with pytest.raises(NotAllowed):
        services.post_reply(topic=topic, author=fresh, body="still here?")


def test_public_forum_is_readable_by_anyone_writable_by_members():
    from forums import access

    forum = build_forum(visibility="public")
    stranger = UserFactory()
    assert access.can_read(stranger, forum.room) and not access.can_write(stranger, forum.room)
    add_member(forum.cluster, stranger)
    stranger = type(stranger).objects.get(pk=stranger.pk)
    assert access.can_write(stranger, forum.room)


def _conversation_topic(forum):
    room = services.open_conversation(
        cluster=forum.cluster, by=forum.mentor, participants=[forum.coordinator], title="Pairing"
    )
    return services.start_topic(room=room, author=forum.mentor, title="Plan", body="Week 1")


def test_conversation_topics_cannot_be_moved_into_a_forum(forum):
    topic = _conversation_topic(forum)
    conversation = topic.room
    with pytest.raises(NotAllowed):
        services.move_topic(topic=topic, by=forum.coordinator, to=forum.room)
    topic.refresh_from_db()
    assert topic.room == conversation
    assert not ModerationAction.objects.exists()


def test_nobody_moderates_a_private_conversation(forum):
    topic = _conversation_topic(forum)
    reply = services.post_reply(topic=topic, author=forum.coordinator, body="Fine by me")
    actions = [
        lambda: services.hide_post(post=reply, by=forum.coordinator, reason="no"),
        lambda: services.show_post(post=reply, by=forum.coordinator),
        lambda: services.set_topic_flags(topic=topic, by=forum.coordinator, locked=True),
        lambda: services.set_topic_flags(topic=topic, by=forum.coordinator, pinned=True),
    ]
    for action in actions:
        with pytest.raises(NotAllowed):
            action()
    topic.refresh_from_db()
    reply.refresh_from_db()
    assert not (topic.is_locked or topic.is_pinned or reply.is_hidden)
    assert not ModerationAction.objects.exists()


def test_flags_are_refused_to_non_moderators_even_when_nothing_would_change(forum):
    topic = _question(forum)
    for flags in [{"locked": False}, {"pinned": False}, {}]:
        with pytest.raises(NotAllowed):
            services.set_topic_flags(topic=topic, by=forum.mentor, **flags)
    assert list(topic.events.values_list("kind", flat=True)) == ["post.created"]


def test_unchanged_flags_record_nothing(forum, commit):
    topic = _question(forum)
    with commit() as callbacks:
        services.set_topic_flags(topic=topic, by=forum.coordinator, locked=False, pinned=False)
    assert callbacks == []  # nothing broadcast
    assert topic.events.count() == 1 and not ModerationAction.objects.exists()


def test_mentions_are_capped_and_found_in_one_query(forum):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forums.notifications import MAX_MENTIONS
    from tests.forums.conftest import _named

    people = [_named(add_member(forum.cluster), f"Member {n}") for n in range(MAX_MENTIONS + 5)]
    handles = [person.profile.handle for person in people]
    topic = _question(forum)

    def mention(names):
        with CaptureQueriesContext(connection) as queries:
            services.post_reply(
                topic=topic, author=forum.coordinator, body=" @".join(["Thanks", *names])
            )
        return len(queries)

    mention([])  # the first reply caches the author's membership
    few, many = mention(handles[:2]), mention(handles)
    assert few == many  # however many are named, the same queries
    mentioned = Notification.objects.filter(kind="mention").exclude(
        recipient__in=[people[0], people[1]]
    )
    assert set(mentioned.values_list("recipient", flat=True)) == {
        person.pk for person in people[2:MAX_MENTIONS]
    }


def test_tags_too_long_or_without_letters_are_refused(forum):
    for tags in [["x" * (services.MAX_TAG_LENGTH + 1)], ["!!!"], ["ok", "x" * 150]]:
        with pytest.raises(DomainError) as refused:
            services.start_topic(
                room=forum.room, author=forum.mentor, title="Tags", body="b", tags=tags
            )
        assert refused.value.code == "bad_tag"
    assert not Topic.objects.exists()
    topic = services.start_topic(
        room=forum.room, author=forum.mentor, title="Tags", body="b", tags=["x" * 50, "café"]
    )
    assert sorted(topic.tags.names()) == ["café", "x" * 50]


def test_hidden_posts_take_no_helpful_votes(forum):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="buy my product")
    services.hide_post(post=answer, by=forum.coordinator, reason="Advertising")
    with pytest.raises(DomainError):
        services.mark_helpful(post=answer, by=forum.follower)
    answer.refresh_from_db()
    assert answer.helpful_count == 0 and not HelpfulVote.objects.exists()


def test_reply_and_accepted_notices_skip_people_who_are_no_longer_members(forum):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="Form A.")
    Notification.objects.all().delete()
    forum.follower.memberships.update(status="suspended")
    forum.mentor.memberships.update(status="left")
    services.post_reply(topic=topic, author=forum.coordinator, body="Or form B.")
    services.accept_answer(post=Post.objects.get(pk=answer.pk), by=forum.coordinator)
    assert not Notification.objects.exists()


def test_hidden_post_cannot_be_edited_by_its_author(forum):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="buy my product")
    services.hide_post(post=answer, by=forum.coordinator, reason="Advertising")
    with pytest.raises(DomainError):
        services.edit_post(post=answer, by=forum.mentor, body="innocent text")
    answer.refresh_from_db()
    assert answer.body == "buy my product" and not PostRevision.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_edit_locks_the_topic_before_the_post_as_hiding_does():
    """Both orders at once deadlock on PostgreSQL; hide_post locks topic, then post."""
    import threading
    import time

    from django.db import DatabaseError, connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks are checked in the PostgreSQL pass (DATABASE_URL=postgres://…)")
    forum = build_forum()
    topic = _question(forum)
    post = topic.posts.get()
    failures = []

    def edit():
        try:
            services.edit_post(post=post, by=forum.follower, body="Edited meanwhile")
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    editor = threading.Thread(target=edit)
    with transaction.atomic():
        Topic.objects.select_for_update().get(pk=topic.pk)  # what hide_post takes first
        editor.start()
        with connection.cursor() as cursor:
            for _ in range(100):  # until the editor waits for a lock we hold
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
        try:
            with transaction.atomic():
                # hide_post's second lock: free unless the editor took the post first.
                Post.objects.select_for_update(nowait=True).get(pk=post.pk)
            post_was_free = True
        except DatabaseError:
            post_was_free = False
    editor.join(timeout=10)
    assert post_was_free, "edit_post locked the post before the topic"
    assert failures == []
    post.refresh_from_db()
    assert post.body == "Edited meanwhile"


def test_hiding_a_hidden_post_or_showing_a_visible_one_changes_and_logs_nothing(forum, commit):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="buy my product")
    services.show_post(post=answer, by=forum.coordinator)  # visible already
    services.hide_post(post=answer, by=forum.coordinator, reason="Advertising")
    events = topic.events.count()
    with commit() as callbacks:
        services.hide_post(post=answer, by=forum.coordinator, reason="Still advertising")
    assert callbacks == []  # nothing broadcast
    answer.refresh_from_db()
    assert answer.hidden_reason == "Advertising"  # the first reason stands
    assert list(ModerationAction.objects.values_list("action", flat=True)) == ["hide"]
    assert topic.events.count() == events
    assert Notification.objects.filter(recipient=forum.mentor, kind="moderation").count() == 1


def test_a_refused_moderator_is_refused_even_when_nothing_would_change(forum):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="Ask the chamber.")
    with pytest.raises(NotAllowed):
        services.show_post(post=answer, by=forum.mentor)
    services.hide_post(post=answer, by=forum.coordinator, reason="Off topic")
    with pytest.raises(NotAllowed):
        services.hide_post(post=answer, by=forum.mentor, reason="Off topic")


def _observer(forum):
    from tests.forums.conftest import _named

    return _named(add_member(forum.cluster, role="observer"), "Olga Observer")


def test_an_agency_observer_reads_follows_and_is_told_but_does_not_write(forum):
    from forums import access

    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="Ask the chamber.")
    observer = _observer(forum)
    assert access.can_read(observer, forum.room) and access.can_follow(observer, forum.room)
    events = topic.events.count()

    for write in (
        lambda: services.start_topic(room=forum.room, author=observer, title="Hi", body="Hello"),
        lambda: services.post_reply(topic=topic, author=observer, body="My view"),
        lambda: services.mark_helpful(post=answer, by=observer),
    ):
        with pytest.raises(NotAllowed) as refused:
            write()
        assert "coordinator grants" in str(refused.value.message)
    assert topic.events.count() == events and not HelpfulVote.objects.exists()
    assert Topic.objects.count() == 1

    services.post_reply(topic=topic, author=forum.mentor, body="@olga-observer see this")
    assert Notification.objects.filter(recipient=observer, kind="mention").exists()


def test_an_observer_given_a_member_role_by_a_coordinator_writes(forum):
    from network import services as network
    from network.models import Membership

    topic = _question(forum)
    observer = _observer(forum)
    network.change_role(
        membership=Membership.objects.get(user=observer, cluster=forum.cluster),
        by=forum.coordinator,
        role="mentor",
    )
    fresh = type(observer).objects.get(pk=observer.pk)  # memberships are cached per user
    assert services.post_reply(topic=topic, author=fresh, body="Now I take part").pk
