"""The forum's panel on "My network": replies and mentions not read yet."""

from core import home_panels
from forums.models import Notification
from network.models import Membership, User


def replies_panel(*, user: User) -> dict | None:
    unread = list(
        Notification.objects.filter(recipient=user, read_at=None)
        .select_related("actor__profile", "topic", "announcement__cluster")
        .order_by("-id")[:6]
    )
    if not unread and not Membership.objects.active().of(user).exists():
        return None
    return {"unread": unread[:5], "more": len(unread) > 5}


home_panels.register(home_panels.Panel("replies", 25, "forums/panels/replies.html", replies_panel))
