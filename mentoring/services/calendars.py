"""Each member's private calendar address: the token in it is the only key, so it lapses
and can be replaced (mentoring.selectors.sessions.live_feed opens it)."""

from django.db import transaction

from mentoring.models import CalendarFeed, _calendar_token
from network.models import User


def ensure_feed(*, user: User) -> CalendarFeed:
    """The member's feed, made on first use, with a fresh address if the old one lapsed."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    if feed.is_expired:
        return revoke_feed(user=user)
    return feed


@transaction.atomic
def revoke_feed(*, user: User) -> CalendarFeed:
    """A new private address; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    feed.token = _calendar_token()
    feed.save(update_fields=["token", "created_at"])
    return feed
