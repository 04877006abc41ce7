"""iCalendar files: sessions as events, in a file to add to a calendar or a member's feed."""

import zoneinfo
from collections.abc import Iterable

from icalendar import Calendar, Event

from mentoring.models import Session
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
