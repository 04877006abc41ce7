"""Starting a topic: a discussion or a question, with its first post and its tags."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.text import clean_text, storable
from forums import realtime
from forums.models import Room, Topic
from forums.services._shared import clean_body, count_in_room, refused, require_writer
from forums.services.posts import add_post
from network.models import User

MAX_TAGS = 5
# taggit stores names and slugs in 100 characters; half leaves room for long unicode slugs.
MAX_TAG_LENGTH = 50


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored: trimmed, lower case, unique, each short and with a usable slug."""
    tags = sorted({storable(str(tag)).strip().lower() for tag in tags} - {""})
    if len(tags) > MAX_TAGS:
        raise DomainError(_("At most 5 tags."), code="too_many_tags")
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            raise DomainError(
                _("A tag can be at most %(limit)d characters.") % {"limit": MAX_TAG_LENGTH},
                code="bad_tag",
            )
        if not slugify(tag, allow_unicode=True):
            raise DomainError(
                _("Tags need letters or numbers: %(tag)s") % {"tag": tag}, code="bad_tag"
            )
    return tags


@transaction.atomic
def start_topic(
    *,
    room: Room,
    author: User,
    title: str,
    body: str,
    kind: str = Topic.Kind.DISCUSSION,
    tags: Iterable[str] = (),
) -> Topic:
    require_writer(author, room)
    title = clean_text(title, model=Topic, field="title", error=refused)
    body = clean_body(body)
    if not title:
        raise DomainError(_("Give the topic a title."), code="empty_title")
    tags = clean_tags(tags)
    topic = Topic.objects.create(
        room=room, author=author, title=title, kind=kind, last_post_at=timezone.now()
    )
    if tags:
        topic.tags.set(tags)
    post = add_post(topic=topic, author=author, body=body)
    realtime.broadcast_room_change(topic, "topic.created")
    count_in_room(room.pk, topics=1, posts=1, at=post.created_at)
    topic.refresh_from_db()
    return topic
