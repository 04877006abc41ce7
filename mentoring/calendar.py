"""iCalendar files: one session to add to a calendar, and each member's private feed."""

import zoneinfo
from collections.abc import Iterable

from django.db import transaction
from icalendar import Calendar, Event

from mentoring.models import CalendarFeed, Session, _calendar_token
from network.models import User
from network.notify import absolute_url

PRODUCT_ID = "-//Pioneros//Mentoring sessions//EN"


def _event(session: Session) -> Event:
    zone = zoneinfo.ZoneInfo(session.time_zone)
    event = Event()
    event.add("uid", f"{session.uid}@pioneros")
    event.add("summary", session.title)
    # Local times with their zone: calendars keep the wall-clock time across DST changes.
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("dtstamp", session.updated_at)
    event.add("last-modified", session.updated_at)
    event.add("url", absolute_url(session.get_absolute_url()))
    description = [session.agenda, session.online_url]
    event.add("description", "\n\n".join(part for part in description if part))
    if session.place or session.online_url:
        event.add("location", session.place or session.online_url)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    return event


def calendar_of(sessions: Iterable[Session], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(_event(session))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_for(user: User) -> CalendarFeed:
    """The member's feed, with a fresh address if the old one has lapsed."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    if feed.is_expired:
        return revoke_feed(user=user)
    return feed


def live_feed(token: str) -> CalendarFeed | None:
    """The feed this address opens, unless it was revoked or has lapsed."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    return None if feed is None or feed.is_expired else feed


@transaction.atomic
def revoke_feed(*, user: User) -> CalendarFeed:
    """A new private address; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    feed.token = _calendar_token()
    feed.save(update_fields=["token", "created_at"])
    return feed
