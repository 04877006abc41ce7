"""In-app notifications from the forums, a live badge, and email for those who opted in."""

from django.db import transaction
from django.utils import timezone

from forums import access
from forums.models import EmailPreference, Notification, Post, Room, Topic
from forums.rendering import mentioned_handles
from network import notify, realtime
from network.models import Profile, User

Kind = Notification.Kind
_OPT_IN = {
    Kind.MENTION: "mentions",
    Kind.REPLY: "replies",
    Kind.ACCEPTED: "accepted",
    Kind.MODERATION: "moderation",
}


def unread_count(user: User, *, cap: int = 100) -> int:
    """Unread notifications, counted up to a cap (the badge shows 99+)."""
    return len(
        Notification.objects.filter(recipient=user, read_at=None).values_list("id", flat=True)[
            :cap
        ]
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
    for user in recipients:
        realtime.send_to_members_on_commit(
            [user.pk], {"type": "notifications", "unread": unread_count(user)}
        )
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
    field = _OPT_IN[kind]
    chosen = {
        pref.user_id: getattr(pref, field)
        for pref in EmailPreference.objects.filter(user__in=users)
    }
    default = EmailPreference._meta.get_field(field).default
    return [user for user in users if chosen.get(user.pk, default)]


def mentions(*, post: Post, room: Room) -> None:
    handles = mentioned_handles(post.body)
    if not handles:
        return
    people = [
        profile.user
        for profile in Profile.objects.filter(handle__in=handles).select_related("user")
        if access.can_write(profile.user, room)
    ]
    _tell(recipients=people, kind=Kind.MENTION, actor=post.author, topic=post.topic, post=post)


def reply(*, post: Post, topic: Topic) -> None:
    if topic.author is None or topic.author.profile.handle in mentioned_handles(post.body):
        return
    _tell(recipients=[topic.author], kind=Kind.REPLY, actor=post.author, topic=topic, post=post)


def accepted(*, post: Post, by: User) -> None:
    if post.author:
        _tell(recipients=[post.author], kind=Kind.ACCEPTED, actor=by, topic=post.topic, post=post)


def moderated(*, post: Post, by: User) -> None:
    if post.author:
        _tell(
            recipients=[post.author], kind=Kind.MODERATION, actor=by, topic=post.topic, post=post
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
