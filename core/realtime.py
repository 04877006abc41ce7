"""Live events to open pages: group names, and sending once the change has committed.

Every app sends through here; the payloads and what each socket does with them are in
docs/realtime.md.
"""

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def member_group(user_id: int) -> str:
    """Every /ws/me/ socket of one member: member.event frames about them."""
    return f"member.{user_id}"


def send(group: str, message: dict) -> None:
    """Hand a message to every socket of a group now. A layer that fails is logged, not
    raised: the database already holds the change, and pages catch up when they reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.warning("Live event to %s not delivered", group, exc_info=True)


def send_on_commit(group: str, message: dict) -> None:
    """Send once the current transaction commits; nothing if it rolls back."""
    transaction.on_commit(lambda: send(group, message))


def send_to_members_on_commit(user_ids: Iterable[int], event: dict) -> None:
    """Push an event to every open page of these members once the change has committed."""
    user_ids = list(user_ids)

    def send_all() -> None:
        for user_id in user_ids:
            send(member_group(user_id), {"type": "member.event", "event": event})

    transaction.on_commit(send_all)
