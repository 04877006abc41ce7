"""In-app notifications from the forums, a live badge, and email for those who opted in."""

import re

from django.db import transaction
from django.db.models import IntegerField, OuterRef, Subquery
from django.utils import timezone

from core import memo, realtime
from core.compiled import compiled_read
from forums import access
from forums.models import (
    Announcement,
    EmailPreference,
    Notification,
    Post,
    PostRevision,
    Room,
    Topic,
)
from forums.rendering import MENTION, render
from network import notify
from network.erasure import former_member_label, scrub
from network.models import Membership, User

Kind = Notification.Kind
# A post may name at most this many people; the rest of its @handles stay plain text.
MAX_MENTIONS = 20
_OPT_IN = {
    Kind.MENTION: "mentions",
    Kind.REPLY: "replies",
    Kind.ACCEPTED: "accepted",
    Kind.MODERATION: "moderation",
    Kind.ANNOUNCEMENT: "announcements",
}


def unread_count(user: User, *, cap: int = 100) -> int:
    """Unread notifications, counted up to a cap (the badge shows 99+); known already when
    a panel of the same page read them all (core.memo)."""
    return memo.once(
        ("unread", user.pk, cap),
        lambda: len(_unread_ids(recipient=user.pk, cap=cap)),
    )


@compiled_read(shape=("cap",))
def _unread_ids(p, *, cap: int):
    unread = Notification.objects.filter(recipient=p.recipient, read_at=None)
    return unread.values_list("id", flat=True)[:cap]


class _Counted(Subquery):
    """How many rows a subquery finds, counted after its LIMIT."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _unread_counts(users: list[User], *, cap: int = 100) -> dict[int, int]:
    """unread_count for many members in one query. Each count stops at the cap: a member
    with thousands unread costs each new notice no more than one with a hundred."""
    if not users:
        return {}
    counts = dict(_counted_unread(members=[user.pk for user in users], cap=cap))
    return {user.pk: counts.get(user.pk, 0) for user in users}


@compiled_read(shape=("cap",))
def _counted_unread(p, *, cap: int):
    unread = Notification.objects.filter(recipient=OuterRef("pk"), read_at=None)
    return (
        User.objects.filter(pk__in=p.many("members"))
        .annotate(unread=_Counted(unread.order_by().values("pk")[:cap]))
        .values_list("pk", "unread")
    )


def _tell(*, recipients: list[User], kind: str, actor: User, topic: Topic, post: Post | None):
    recipients = [user for user in {u.pk: u for u in recipients}.values() if user.pk != actor.pk]
    if not recipients:
        return
    Notification.objects.bulk_create(
        [
            Notification(recipient=u, kind=kind, actor=actor, topic=topic, post=post)
            for u in recipients
        ]
    )
    for user_id, unread in _unread_counts(recipients).items():
        realtime.send_to_members_on_commit([user_id], {"type": "notifications", "unread": unread})
    wanted = _emails_wanted(recipients, kind)
    if wanted:
        link = notify.absolute_url(post.get_absolute_url() if post else topic.get_absolute_url())
        notify.tell(
            users=wanted,
            template=f"forums/email/{kind}",
            context={
                "actor": actor.profile.display_name,
                "topic": topic.title,
                "url": link,
            },
        )


def _emails_wanted(users: list[User], kind: str) -> list[User]:
    if not users:
        return []
    field = _OPT_IN[kind]
    chosen = dict(_preferences(members=[user.pk for user in users], field=field))
    default = EmailPreference._meta.get_field(field).default
    return [user for user in users if chosen.get(user.pk, default)]


@compiled_read(shape=("field",))
def _preferences(p, *, field: str):
    chosen = EmailPreference.objects.filter(user__in=p.many("members"))
    return chosen.values_list("user_id", field)


def _mentioned(post: Post) -> list[str]:
    """The first MAX_MENTIONS different handles named in the post, in order."""
    found = dict.fromkeys(match.lower() for match in MENTION.findall(post.body))
    return list(found)[:MAX_MENTIONS]


def mentions(*, post: Post, room: Room) -> None:
    handles = _mentioned(post)
    if not handles:
        return
    # Only people who may write in the room, found in one query however many are named.
    people = access.named_followers(room, handles)
    _tell(recipients=people, kind=Kind.MENTION, actor=post.author, topic=post.topic, post=post)


def reply(*, post: Post, topic: Topic) -> None:
    author = topic.author
    if author is None or author.profile.handle in _mentioned(post):
        return
    if not access.can_read(author, topic.room):
        return  # they left or were suspended: the topic is no longer theirs to follow
    _tell(recipients=[author], kind=Kind.REPLY, actor=post.author, topic=topic, post=post)


def accepted(*, post: Post, by: User) -> None:
    author = post.author
    if author and access.can_read(author, post.topic.room):
        _tell(recipients=[author], kind=Kind.ACCEPTED, actor=by, topic=post.topic, post=post)


def moderated(*, post: Post, by: User) -> None:
    if post.author:
        _tell(
            recipients=[post.author], kind=Kind.MODERATION, actor=by, topic=post.topic, post=post
        )


def announced(*, announcement: Announcement, recipients: list[User]) -> None:
    """Each recipient: a notice in the app, the badge and a toast on their open pages, and
    an email if they keep announcements by email (the default)."""
    author = announcement.author
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user, kind=Kind.ANNOUNCEMENT, actor=author, announcement=announcement
            )
            for user in recipients
        ],
        batch_size=500,
    )
    cluster = announcement.cluster
    url = announcement.get_absolute_url()
    for user_id, unread in _unread_counts(recipients).items():
        realtime.send_to_members_on_commit([user_id], {"type": "notifications", "unread": unread})
    realtime.send_to_members_on_commit(
        [user.pk for user in recipients],
        {"type": "announcement", "text": f"{cluster.name}: {announcement.title}", "url": url},
    )
    wanted = _emails_wanted(recipients, Kind.ANNOUNCEMENT)
    if wanted:
        notify.tell(
            users=wanted,
            template="forums/email/announcement",
            context={
                **notify.cluster_context(cluster),
                "author": author.profile.display_name if author else "",
                "title": announcement.title,
                "body": announcement.body,
                "url": notify.absolute_url(url),
            },
        )


@transaction.atomic
def mark_read(*, user: User, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    count = unread.update(read_at=timezone.now())
    realtime.send_to_members_on_commit(
        [user.pk], {"type": "notifications", "unread": unread_count(user)}
    )
    return count


def forget_erased_member(*, user: User, names=(), handle: str | None = None) -> None:
    """A member erased their account (network.erasure): their inbox and email choices go.

    Their posts stay, shown as a former member's. What others wrote keeps its words, except
    the person's own name where the forums put it: the titles of their private conversations
    (named after the two people) and @mentions of their handle, in the clusters they were in.
    """
    Notification.objects.filter(recipient=user).delete()
    EmailPreference.objects.filter(user=user).delete()
    names = list(names)
    for room in Room.objects.filter(participants=user):
        title = scrub(room.title, names)
        if title != room.title:
            Room.objects.filter(pk=room.pk).update(title=title)
        for topic in Topic.objects.filter(room=room):
            title = scrub(topic.title, names)
            if title != topic.title:
                Topic.objects.filter(pk=topic.pk).update(title=title)
    if not handle:
        return
    mention = re.compile(rf"(?<![\w@])@{re.escape(handle)}(?![\w-])", re.IGNORECASE)
    label = former_member_label()
    clusters = Membership.objects.filter(user=user).values("cluster_id")
    mentioning = Post.objects.filter(
        topic__room__cluster_id__in=clusters, body__icontains=f"@{handle}"
    )
    for post in mentioning.select_related("topic__room"):
        body = mention.sub(label, post.body)
        if body != post.body:
            html = render(body, people=access.mention_links(post.topic.room, body))
            Post.objects.filter(pk=post.pk).update(body=body, body_html=html)
    for revision in PostRevision.objects.filter(
        post__topic__room__cluster_id__in=clusters, body__icontains=f"@{handle}"
    ):
        body = mention.sub(label, revision.body)
        if body != revision.body:
            PostRevision.objects.filter(pk=revision.pk).update(body=body)
