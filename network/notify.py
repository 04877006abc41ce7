"""Telling people what happened to them: an email in their language and a live event."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from core import realtime
from core.emails import new_key, send_member_email


def absolute_url(path: str) -> str:
    return settings.PUBLIC_URL.rstrip("/") + path


def cluster_context(cluster) -> dict:
    """What every email about a cluster names: the cluster, and a link to it."""
    return {"cluster_name": cluster.name, "cluster_url": absolute_url(cluster.get_absolute_url())}


def tell(
    *,
    users: Iterable,
    template: str,
    context: dict,
    event: dict | None = None,
) -> None:
    """Email each user (after commit, via the task queue) and push a live event to their pages."""
    recipients = [(user.pk, user.email) for user in users]
    if not recipients:
        return

    def send() -> None:
        for user_id, email in recipients:
            send_member_email.enqueue(
                recipient_id=user_id,
                email=email,
                template=template,
                context=context,
                key=new_key(),
            )

    transaction.on_commit(send)
    if event is not None:
        realtime.send_to_members_on_commit([user_id for user_id, _ in recipients], event)


def tell_address(*, email: str, template: str, context: dict) -> None:
    """Email someone who may not have an account yet (an invitation)."""
    transaction.on_commit(
        lambda: send_member_email.enqueue(
            recipient_id=None, email=email, template=template, context=context, key=new_key()
        )
    )
