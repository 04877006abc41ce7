"""Forum rules as the services enforce them, for pages, API and socket alike."""

import pytest

from forums import services
from forums.models import HelpfulVote, ModerationAction, Notification, Post, PostRevision, Topic
from forums.services import ForumError, NotAllowed
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
        services.post_reply(topic=topic, author=forum.mentor, body=body)
    numbers = list(topic.events.order_by("number").values_list("number", "kind"))
    assert numbers == [(1, "post.created"), (2, "post.created"), (3, "post.created")]
    topic.refresh_from_db()
    assert (topic.post_count, topic.last_event_id) == (3, 3)


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
        with pytest.raises(ForumError):
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
    with pytest.raises(ForumError):
        services.accept_answer(post=topic.posts.order_by("id").first(), by=forum.follower)


def test_helpful_votes_once_per_member_never_own(forum):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="Form A.")
    services.mark_helpful(post=answer, by=forum.follower)
    services.mark_helpful(post=answer, by=forum.follower)
    services.mark_helpful(post=answer, by=forum.coordinator)
    answer.refresh_from_db()
    assert answer.helpful_count == 2 == HelpfulVote.objects.filter(post=answer).count()
    with pytest.raises(ForumError):
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
    with pytest.raises(ForumError):
        services.post_reply(topic=topic, author=forum.mentor, body="late")
    services.post_reply(topic=topic, author=forum.coordinator, body="closing note")
    with pytest.raises(NotAllowed):
        services.set_topic_flags(topic=topic, by=forum.mentor, pinned=True)


def test_hiding_needs_a_reason_is_logged_and_unaccepts(forum):
    topic = _question(forum)
    answer = services.post_reply(topic=topic, author=forum.mentor, body="buy my product")
    services.accept_answer(post=answer, by=forum.follower)
    with pytest.raises(ForumError):
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
    with pytest.raises(ForumError):
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
