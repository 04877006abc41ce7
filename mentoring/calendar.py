"""iCalendar files: sessions as events, in a file to add to a calendar or a member's feed."""

import zoneinfo
from collections.abc import Iterable

from django.utils.translation import gettext as _
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


def _busy_event(session: Session) -> Event:
    """A group session as a time taken, for a viewer who may not read what it is about."""
    event = Event()
    event.add("uid", f"{session.uid}@pioneros")
    event.add("summary", _("Group session"))
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("dtstamp", session.updated_at)
    return event


def _day_event(item, cluster_id: int) -> Event:
    """A programme's period, or its last day, as an all-day event."""
    event = Event()
    event.add("uid", f"{item.kind}-{item.programme_id}-cluster-{cluster_id}@pioneros")
    if item.kind == "deadline":
        summary = _("Last day of %(programme)s (%(agency)s)")
    else:
        summary = _("%(programme)s (%(agency)s)")
    event.add("summary", summary % {"programme": item.title, "agency": item.agency})
    event.add("dtstart", item.starts)
    event.add("dtend", item.ends)
    event.add("transp", "TRANSPARENT")  # a period does not make anyone busy
    if item.detail:
        event.add("description", item.detail)
    return event


def cluster_calendar_of(items, *, cluster) -> bytes:
    """The cluster calendar (mentoring.selectors.cluster_calendar) as one iCalendar file."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", cluster.name)
    for item in items:
        if item.busy_only:
            calendar.add_component(_busy_event(item.session))
        elif item.session is not None:
            calendar.add_component(_event(item.session))
        else:
            calendar.add_component(_day_event(item, cluster.pk))
    calendar.add_missing_timezones()
    return calendar.to_ical()
