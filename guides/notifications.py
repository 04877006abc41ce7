"""Telling authors and coordinators what happened to a guide: an email and a live notice."""

from django.utils.translation import gettext as _

from guides.models import Guide
from network import notify
from network.models import Membership, User

# kind -> the live notice's sentence; the email says the same in the recipient's language.
NOTICES = {
    "submitted": lambda: _("A guide waits for your review: %(title)s"),
    "returned": lambda: _("Your guide was returned with comments: %(title)s"),
    "published": lambda: _("Your guide is published: %(title)s"),
    "comment": lambda: _("New comment on the guide %(title)s"),
    "correction": lambda: _("A reader suggests a correction to %(title)s"),
    "check_due": lambda: _("Please confirm or update the guide %(title)s"),
}


def coordinators(guide: Guide) -> list[User]:
    """The guide's cluster's active coordinators."""
    memberships = Membership.objects.coordinators().filter(cluster_id=guide.cluster_id)
    return [membership.user for membership in memberships.select_related("user__profile")]


def authors(guide: Guide) -> list[User]:
    return list(guide.authors.select_related("profile"))


def tell(*, kind: str, guide: Guide, users: list[User], actor: User | None, text: str = ""):
    """Everyone named once, never the person who acted."""
    recipients = {u.pk: u for u in users if actor is None or u.pk != actor.pk}
    if not recipients:
        return
    url = notify.absolute_url(guide.get_absolute_url())
    actor_name = actor.profile.display_name if actor is not None else ""
    notify.tell(
        users=recipients.values(),
        template="guides/email/guide",
        context={
            "kind": kind,
            "title": guide.title,
            "actor": actor_name,
            "text": text,
            "url": url,
            "check_by": guide.check_by.isoformat() if guide.check_by else "",
        },
        event={
            "type": "guide",
            "text": NOTICES[kind]() % {"title": guide.title},
            "url": guide.get_absolute_url(),
        },
    )
