"""Handles can be found, a mention links to its person, and the author filter takes a name."""

import pytest
from django.urls import reverse

from forums import services
from tests.factories import add_member, make_cluster
from tests.forums.conftest import _named, build_forum

pytestmark = pytest.mark.django_db


def _topic(forum, author=None, title="Cold chain to Rotterdam", body="Reefer questions"):
    return services.start_topic(
        room=forum.room, author=author or forum.follower, title=title, body=body
    )


def _profile_link(user) -> str:
    return f'<a href="{reverse("person", args=[user.pk])}"'


def test_a_mention_of_a_member_links_to_their_profile(client, forum):
    topic = _topic(forum)
    post = services.post_reply(topic=topic, author=forum.mentor, body="@felipe-follower see A")
    assert f"{_profile_link(forum.follower)} " in post.body_html
    assert ">@felipe-follower</a>" in post.body_html
    client.force_login(forum.coordinator)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert ">@felipe-follower</a>" in page


def test_a_mention_of_someone_the_readers_cannot_see_stays_text(forum):
    """A handle of a member of another, private cluster must not be confirmed by a link."""
    elsewhere = make_cluster(visibility="private")
    hidden = _named(add_member(elsewhere, role="mentor"), "Xavier Hidden")
    post = services.post_reply(topic=_topic(forum), author=forum.mentor, body="ask @xavier-hidden")
    assert _profile_link(hidden) not in post.body_html
    assert "ask @xavier-hidden" in post.body_html
    # Nor does someone's handle become a link in a cluster they are not in.
    assert (
        "<a"
        not in services.post_reply(
            topic=_topic(forum), author=forum.mentor, body="@otto-outsider"
        ).body_html
    )


def test_mentions_in_code_and_inside_links_stay_as_written(forum):
    body = "`@felipe-follower` and [write @felipe-follower](https://example.org)"
    post = services.post_reply(topic=_topic(forum), author=forum.mentor, body=body)
    assert _profile_link(forum.follower) not in post.body_html
    assert "<code>@felipe-follower</code>" in post.body_html


def test_an_edit_that_adds_a_mention_links_it(forum):
    post = services.post_reply(topic=_topic(forum), author=forum.mentor, body="thanks")
    post = services.edit_post(post=post, by=forum.mentor, body="thanks @lucia-coord")
    assert _profile_link(forum.coordinator) in post.body_html


def test_handles_show_on_posts_profiles_and_the_directory(client, forum):
    topic = _topic(forum, author=forum.mentor)
    client.force_login(forum.follower)
    assert "@marta-mentor" in client.get(topic.get_absolute_url()).content.decode()
    profile = client.get(reverse("person", args=[forum.mentor.pk])).content.decode()
    assert "@marta-mentor" in profile
    members = client.get(reverse("cluster_members", args=[forum.cluster.slug]))
    assert "@marta-mentor" in members.content.decode()


@pytest.mark.parametrize(
    "typed", ["@marta-mentor", "marta-mentor", "Marta Mentor", "marta mentor"]
)
def test_the_author_filter_takes_a_handle_or_a_name(client, forum, typed):
    _topic(forum, author=forum.mentor, title="Mentor's topic")
    _topic(forum, author=forum.follower, title="Follower's topic")
    client.force_login(forum.follower)
    page = client.get(reverse("forums:room", args=[forum.room.pk]), {"author": typed})
    text = page.content.decode()
    assert "Mentor&#x27;s topic" in text and "Follower&#x27;s topic" not in text
    assert "Nobody called" not in text


def test_the_author_filter_offers_the_rooms_authors_and_says_when_nobody_matches(client, forum):
    _topic(forum, author=forum.mentor)
    client.force_login(forum.follower)
    room = reverse("forums:room", args=[forum.room.pk])
    page = client.get(room).content.decode()
    assert '<option value="@marta-mentor">Marta Mentor</option>' in page
    assert "Felipe Follower</option>" not in page  # started no topic here
    page = client.get(room, {"author": "nobody-here"}).content.decode()
    assert "Nobody called “nobody-here” started a topic here." in page


def test_an_outsider_reading_a_public_forum_follows_a_mention_to_the_profile(client):
    forum = build_forum(visibility="public")
    topic = _topic(forum, author=forum.mentor)
    services.post_reply(topic=topic, author=forum.mentor, body="@felipe-follower")
    page = client.get(topic.get_absolute_url()).content.decode()
    link = reverse("person", args=[forum.follower.pk])
    assert f'href="{link}"' in page
    assert client.get(link).status_code == 200
