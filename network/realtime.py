"""Live events for a member's open pages: group names and sending after commit.

Events are small JSON objects {"type": ..., "text": ..., "url": ...}; see docs/realtime.md.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def member_group(user_id: int) -> str:
    return f"member.{user_id}"


def send_to_members_on_commit(user_ids: list[int], event: dict) -> None:
    """Push an event to every open page of these members once the change has committed."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for user_id in user_ids:
            try:
                async_to_sync(layer.group_send)(
                    member_group(user_id), {"type": "member.event", "event": event}
                )
            except Exception:
                # The database already holds the change; a page that misses the
                # live nudge still shows it on the next load.
                logger.warning("Live event to member %s not delivered", user_id, exc_info=True)

    transaction.on_commit(send)
