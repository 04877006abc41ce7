"""Forum pages through the client: who sees what, forms without JavaScript, bounded queries."""

import re

import pytest
from django.urls import reverse

from forums import services
from forums.models import Post, Topic
from tests.factories import UserFactory
from tests.forums.conftest import build_forum

pytestmark = pytest.mark.django_db


def _topic(forum, replies=0, kind=Topic.Kind.QUESTION):
    topic = services.start_topic(
        room=forum.room,
        author=forum.follower,
        title="Cold chain to Rotterdam",
        body="Which reefer settings for avocados?",
        kind=kind,
        tags=["logistics"],
    )
    for i in range(replies):
        author = forum.mentor if i % 2 else forum.coordinator
        services.post_reply(topic=topic, author=author, body=f"Answer {i} with **detail**")
    return topic


def test_private_forum_and_topics_are_404_for_outsiders(client, forum):
    topic = _topic(forum)
    post = topic.posts.get()
    client.force_login(forum.outsider)
    urls = [
        reverse("forums:cluster_forum", args=[forum.cluster.slug]),
        reverse("forums:room", args=[forum.room.pk]),
        reverse("forums:topic", args=[topic.pk]),
        reverse("forums:edit_post", args=[post.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("forums:reply", args=[topic.pk]),
        reverse("forums:post_action", args=[post.pk, "helpful"]),
        reverse("forums:topic_action", args=[topic.pk, "lock"]),
        reverse("forums:new_topic", args=[forum.room.pk]),
    ]:
        assert (
            client.post(url, {"body": "x", "title": "x", "kind": "discussion"}).status_code == 404
        )
    assert Post.objects.count() == 1
    assert client.get(reverse("forums:search"), {"q": "reefer"}).content.count(b"Rotterdam") == 0


def test_member_starts_a_topic_and_replies_without_javascript(client, forum):
    client.force_login(forum.follower)
    response = client.post(
        reverse("forums:new_topic", args=[forum.room.pk]),
        {
            "kind": "question",
            "title": "Organic certificate",
            "body": "Which body for the EU?",
            "tags": "certification, EU",
        },
    )
    topic = Topic.objects.get(title="Organic certificate")
    assert response.status_code == 302 and response.url == topic.get_absolute_url()
    client.force_login(forum.mentor)
    response = client.post(reverse("forums:reply", args=[topic.pk]), {"body": "Try **Ecocert**."})
    assert response.status_code == 302
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "<strong>Ecocert</strong>" in page and "Which body for the EU?" in page


def test_accepted_answer_is_shown_first(client, forum):
    topic = _topic(forum, replies=3)
    last = topic.posts.order_by("-id").first()
    services.accept_answer(post=last, by=forum.follower)
    client.force_login(forum.follower)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert page.index(f'id="post-{last.pk}"') < page.index("Which reefer settings")
    assert "Solved" in page


def test_hidden_post_reason_only_for_moderators(client, forum):
    topic = _topic(forum, replies=1)
    answer = topic.posts.order_by("-id").first()
    services.hide_post(post=answer, by=forum.coordinator, reason="Off topic advert")
    client.force_login(forum.follower)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "hidden by a moderator" in page and "Off topic advert" not in page
    assert "Answer 0" not in page
    client.force_login(forum.coordinator)
    assert "Off topic advert" in client.get(topic.get_absolute_url()).content.decode()


def test_moderation_log_for_coordinators_only(client, forum):
    topic = _topic(forum)
    services.set_topic_flags(topic=topic, by=forum.coordinator, pinned=True)
    url = reverse("forums:moderation_log", args=[forum.cluster.slug])
    client.force_login(forum.mentor)
    assert client.get(url).status_code == 403
    client.force_login(forum.coordinator)
    assert "pinned a topic" in client.get(url).content.decode()


def test_bad_actions_answer_clearly(client, forum):
    topic = _topic(forum, replies=1)
    post = topic.posts.order_by("-id").first()
    client.force_login(forum.follower)
    assert client.post(reverse("forums:post_action", args=[post.pk, "explode"])).status_code == 404
    client.force_login(forum.mentor)
    response = client.post(reverse("forums:topic_action", args=[topic.pk, "lock"]))
    assert response.status_code == 403
    response = client.post(reverse("forums:reply", args=[topic.pk]), {"body": " "}, follow=True)
    assert b"Write something first." in response.content


def test_notifications_page_lists_and_marks_read(client, forum):
    topic = _topic(forum)
    services.post_reply(topic=topic, author=forum.mentor, body="@felipe-follower see form A")
    client.force_login(forum.follower)
    page = client.get(reverse("forums:notifications")).content.decode()
    assert "mentioned you" in page
    assert 'id="notification-badge"' in page and ">1<" in page
    client.post(reverse("forums:notifications"))
    assert forum.follower.notifications.filter(read_at=None).count() == 0


def test_search_finds_words_in_visible_forums_only(client, forum):
    _topic(forum, replies=1)
    other = build_forum()
    services.start_topic(
        room=other.room, author=other.follower, title="Reefer secrets", body="reefer elsewhere"
    )
    client.force_login(forum.mentor)
    page = client.get(reverse("forums:search"), {"q": "reefer"}).content.decode()
    assert "Cold chain to Rotterdam" in page and "Reefer secrets" not in page


@pytest.mark.parametrize("replies", [3, 60])
def test_topic_page_queries_do_not_grow_with_replies(
    client, django_assert_max_num_queries, replies
):
    forum = build_forum()
    topic = _topic(forum, replies=replies)
    services.accept_answer(post=topic.posts.order_by("-id").first(), by=forum.follower)
    client.force_login(forum.coordinator)
    with django_assert_max_num_queries(16):
        assert client.get(topic.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("topics", [2, 40])
def test_forum_and_search_queries_do_not_grow(client, django_assert_max_num_queries, topics):
    forum = build_forum()
    for _ in range(topics):
        _topic(forum)
    client.force_login(forum.mentor)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("forums:room", args=[forum.room.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("forums:search"), {"q": "reefer"}).status_code == 200


def test_long_topic_pages_by_keyset(client, forum):
    topic = _topic(forum, replies=35)
    client.force_login(forum.mentor)
    first = client.get(topic.get_absolute_url())
    cursor = first.context["page"].next_cursor
    assert cursor
    second = client.get(topic.get_absolute_url(), {"after": cursor})
    ids_first = [p.pk for p in first.context["page"].items]
    ids_second = [p.pk for p in second.context["page"].items]
    assert ids_first and ids_second and max(ids_first) < min(ids_second)
    assert len(ids_first) + len(ids_second) == 36


def test_public_forum_is_readable_signed_out(client):
    forum = build_forum(visibility="public")
    topic = _topic(forum)
    assert client.get(topic.get_absolute_url()).status_code == 200
    assert client.get(reverse("forums:room", args=[forum.room.pk])).status_code == 200
    client.force_login(UserFactory())
    response = client.post(reverse("forums:reply", args=[topic.pk]), {"body": "hi"}, follow=True)
    assert topic.posts.count() == 1
    assert b"You cannot do this here." in response.content


def test_coordinator_moves_a_topic_to_another_forum_they_run(client, forum):
    from tests.factories import make_cluster

    topic = _topic(forum)
    other = make_cluster(coordinator=forum.coordinator, name="Avocado exporters")
    client.force_login(forum.coordinator)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Avocado exporters" in page
    client.post(reverse("forums:topic_action", args=[topic.pk, "move"]), {"cluster": other.slug})
    topic.refresh_from_db()
    assert topic.room == services.forum_of(other)


def test_non_moderator_unlocking_an_unlocked_topic_is_refused_and_changes_nothing(client, forum):
    from forums.models import ModerationAction

    topic = _topic(forum)
    client.force_login(forum.mentor)
    for action in ["unlock", "unpin"]:
        response = client.post(reverse("forums:topic_action", args=[topic.pk, action]))
        assert response.status_code == 403
    assert topic.events.count() == 1 and not ModerationAction.objects.exists()


def test_overlong_or_symbol_only_tags_are_refused_by_the_form(client, forum):
    client.force_login(forum.follower)
    url = reverse("forums:new_topic", args=[forum.room.pk])
    for tags in ["x" * 101, "ok, ???"]:
        response = client.post(
            url, {"kind": "discussion", "title": "Tagged", "body": "Hello", "tags": tags}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["tags"], tags
    assert not Topic.objects.exists()


def test_edit_history_is_linked_and_shown_to_readers(client, forum):
    topic = _topic(forum, replies=1)
    answer = topic.posts.order_by("-id").first()
    services.edit_post(post=answer, by=forum.coordinator, body="Second *version*")
    services.edit_post(post=answer, by=forum.coordinator, body="Third version")
    url = reverse("forums:post_history", args=[answer.pk])
    client.force_login(forum.mentor)
    assert f'href="{url}"' in client.get(topic.get_absolute_url()).content.decode()
    page = client.get(url).content.decode()
    assert page.index("Third version") < page.index("<em>version</em>") < page.index("Answer 0")
    client.force_login(forum.outsider)
    assert client.get(url).status_code == 404


def test_history_of_a_hidden_post_is_for_moderators_only(client, forum):
    topic = _topic(forum, replies=1)
    answer = topic.posts.order_by("-id").first()
    services.edit_post(post=answer, by=forum.coordinator, body="Now an advert")
    services.hide_post(post=answer, by=forum.coordinator, reason="Advertising")
    url = reverse("forums:post_history", args=[answer.pk])
    client.force_login(forum.mentor)
    assert client.get(url).status_code == 404
    client.force_login(forum.coordinator)
    assert "Answer 0" in client.get(url).content.decode()


def test_topic_page_gives_the_live_script_what_it_needs(client, forum):
    """Hidden posts keep an empty body to fill if shown again; lock note and form both exist."""
    topic = _topic(forum, replies=1)
    answer = topic.posts.order_by("-id").first()
    services.hide_post(post=answer, by=forum.coordinator, reason="Off topic")
    client.force_login(forum.follower)
    page = client.get(topic.get_absolute_url()).content.decode()
    article = page[page.index(f'id="post-{answer.pk}"') :]
    article = article[: article.index("</article>")]
    assert '<div class="post-body"></div>' in article and "Answer 0" not in article
    assert 'id="reply-form"' in page and 'id="locked-note"' in page
    assert 'data-last-page="on"' in page and 'id="accepted-answer"' in page


def test_an_observer_reads_the_forum_without_write_forms_and_is_told_why(client, forum):
    from tests.factories import add_member

    topic = _topic(forum, replies=2)
    observer = add_member(forum.cluster, role="observer")
    client.force_login(observer)

    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Which reefer settings for avocados?" in page and 'id="observer-note"' in page
    assert 'id="reply-form"' not in page and "/helpful/" not in page and "/accept/" not in page
    assert 'data-live="on"' in page  # still follows the topic live
    room = client.get(reverse("forums:room", args=[forum.room.pk])).content.decode()
    assert (
        'id="observer-note"' in room
        and reverse("forums:new_topic", args=[forum.room.pk]) not in room
    )

    refused = client.get(reverse("forums:new_topic", args=[forum.room.pk]), follow=True)
    assert "coordinator grants" in refused.content.decode()
    posts = Post.objects.count()
    client.post(reverse("forums:reply", args=[topic.pk]), {"body": "My view"})
    api = client.post(
        f"/api/topics/{topic.pk}/posts/", '{"body": "My view"}', content_type="application/json"
    )
    assert api.status_code == 403 and api.json()["error"] == "not_allowed"
    assert Post.objects.count() == posts


def _article(html: str, post_id: int) -> str:
    """The post's <article> as served, with the per-render CSRF masks made equal."""
    start = html.rindex("<article", 0, html.index(f'id="post-{post_id}"'))
    end = html.index("</article>", start) + len("</article>")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html[start:end])


@pytest.mark.parametrize("viewer", ["follower", "mentor", "coordinator"])
def test_a_posts_card_is_the_post_exactly_as_the_topic_page_shows_it(client, forum, viewer):
    topic = _topic(forum, replies=2)
    reply = topic.posts.order_by("-id").first()
    services.mark_helpful(post=reply, by=forum.follower)
    reader = getattr(forum, viewer)
    reader.profile.time_zone = "America/Bogota"
    reader.profile.save()
    client.force_login(reader)
    for language in ["es", "pt-br", "en"]:
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        page = client.get(topic.get_absolute_url(), **headers).content.decode()
        card = client.get(reverse("forums:post_card", args=[reply.pk]), **headers)
        assert card.status_code == 200
        assert _article(card.content.decode(), reply.pk) == _article(page, reply.pk)
    # Each reader's own buttons, in the card as on the page.
    card = client.get(reverse("forums:post_card", args=[reply.pk])).content.decode()
    assert ("Accept this answer" in card) == (viewer != "mentor")  # the asker, a moderator
    assert ("Hide" in card) == (viewer == "coordinator")
    assert f'href="/people/{reply.author_id}/"' in card


def test_a_posts_card_is_404_for_who_may_not_read_it(client, forum):
    post = _topic(forum).posts.get()
    client.force_login(forum.outsider)
    assert client.get(reverse("forums:post_card", args=[post.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("forums:post_card", args=[post.pk])).status_code == 404


@pytest.mark.parametrize("replies", [2, 40])
def test_a_posts_card_costs_the_same_few_queries_however_long_the_topic(
    client, forum, django_assert_max_num_queries, replies
):
    # Every reader on a topic's last page asks for one when a post arrives.
    topic = _topic(forum, replies=replies)
    newest = topic.posts.order_by("-id").first()
    client.force_login(forum.follower)
    with django_assert_max_num_queries(10) as queries:
        assert client.get(reverse("forums:post_card", args=[newest.pk])).status_code == 200
    print(f"post card: {len(queries)} queries at {replies} replies")
