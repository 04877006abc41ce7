"""The forum's panel on "My network": replies and mentions not read yet."""

from core import home_panels, memo
from core.compiled import compiled_read
from forums.models import Notification
from network.models import User
from network.selectors import active_memberships_of

# What a line shows: who, what happened, and where it links (a topic, or an announcement).
LISTED = (
    "kind",
    "post_id",
    "actor__profile__display_name",
    "topic__title",
    "announcement__title",
    "announcement__cluster__name",
    "announcement__cluster__slug",
)


@compiled_read()
def _unread(p):
    return (
        Notification.objects.filter(recipient=p.recipient, read_at=None)
        .select_related("actor__profile", "topic", "announcement__cluster")
        .only(*LISTED)
        .order_by("-id")[:6]
    )


def replies_panel(*, user: User) -> dict | None:
    unread = _unread(recipient=user.pk)
    if len(unread) <= 5:  # all of them: the header's badge needs no count of its own
        memo.keep(("unread", user.pk, 100), len(unread))
    if not unread and not active_memberships_of(user):
        return None
    return {"unread": unread[:5], "more": len(unread) > 5}


home_panels.register(home_panels.Panel("replies", 25, "forums/panels/replies.html", replies_panel))
