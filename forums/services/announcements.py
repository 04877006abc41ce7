"""Announcements: a coordinator writes once to every active member of the cluster."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, NotAllowed
from core.text import clean_text
from forums import notifications
from forums.models import Announcement
from forums.rendering import render
from forums.services._shared import pace, refused
from network import selectors as network_selectors
from network.models import Cluster, Membership, User


def recipients_of(cluster: Cluster, *, author: User) -> list[User]:
    """Every active member but the author: suspended, invited and former members get
    nothing."""
    return list(
        User.objects.filter(
            memberships__cluster=cluster, memberships__status=Membership.Status.ACTIVE
        )
        .exclude(pk=author.pk)
        .select_related("profile")
        .distinct()
    )


@transaction.atomic
def announce(*, cluster: Cluster, by: User, title: str, body: str) -> Announcement:
    """Write to the whole cluster (only its active coordinators may); delivered after
    commit."""
    if not network_selectors.is_coordinator(user=by, cluster=cluster):
        raise NotAllowed(_("Only the cluster's coordinators can do this."))
    title = clean_text(title, model=Announcement, field="title", error=refused)
    body = clean_text(body, model=Announcement, field="body", error=refused)
    if not title:
        raise DomainError(_("Give the announcement a title."), code="empty_title")
    if not body:
        raise DomainError(_("Write something first."), code="empty")
    pace(by)
    recipients = recipients_of(cluster, author=by)
    announcement = Announcement.objects.create(
        cluster=cluster,
        author=by,
        title=title,
        body=body,
        body_html=render(body),
        recipient_count=len(recipients),
    )
    notifications.announced(announcement=announcement, recipients=recipients)
    return announcement
