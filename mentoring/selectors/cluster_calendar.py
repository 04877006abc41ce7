"""One calendar per cluster: every sponsoring agency's programme periods and last days, and
the cluster's group sessions, so that overlaps show before they happen.

Programmes appear with their name, kind, agency and dates only, never their money. Members
of the cluster and the officers of its sponsoring agencies see it; to anyone else the
cluster's calendar does not exist (404), public cluster or not. An officer who is not a
member sees each group session as a time taken, without what the members plan in it
(title, agenda, place), as elsewhere officers see a cluster's names, not what members write.
"""

import datetime
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone

from incentives import selectors as incentives
from mentoring.models import Session
from network.models import Cluster, Membership, User
from network.selectors import agency_of, sponsoring_agency_ids

# What is still worth seeing: what ended within these days, and everything after.
LOOK_BACK_DAYS = 30
MAX_SESSIONS = 300


@dataclass
class CalendarItem:
    kind: str  # "programme", "deadline" or "session"
    title: str
    starts: datetime.date | datetime.datetime
    ends: datetime.date | datetime.datetime
    agency: str = ""
    detail: str = ""  # the programme's kind
    session: Session | None = None
    # A group session shown only as a time taken: its title is not for this viewer.
    busy_only: bool = False
    programme_id: int | None = None
    overlaps: list[str] = field(default_factory=list)

    @property
    def last_day(self) -> datetime.date:
        """A programme's last day (its all-day end is the morning after)."""
        if isinstance(self.ends, datetime.datetime):
            return timezone.localtime(self.ends).date()
        return self.ends - datetime.timedelta(days=1)

    @property
    def day(self) -> datetime.date:
        if isinstance(self.starts, datetime.datetime):
            return timezone.localtime(self.starts).date()
        return self.starts


def is_active_member(user: User, cluster: Cluster) -> bool:
    return Membership.objects.filter(user=user, cluster=cluster).active().exists()


def may_see(user: User, cluster: Cluster) -> bool:
    """An active member of the cluster, or an officer of an agency sponsoring it now."""
    if not user.is_authenticated:
        return False
    if is_active_member(user, cluster):
        return True
    agency = agency_of(user)
    return agency is not None and agency.pk in sponsoring_agency_ids(cluster.pk)


def calendar_cluster_for(user: User, slug: str) -> Cluster:
    cluster = Cluster.objects.filter(slug=slug).first()
    if cluster is None or not may_see(user, cluster):
        raise Http404
    return cluster


def _overlapping(one: CalendarItem, other: CalendarItem) -> bool:
    return one.starts < other.ends and other.starts < one.ends


def cluster_calendar(
    cluster: Cluster, *, today: datetime.date | None = None, titles: bool = True
) -> list[CalendarItem]:
    """Everything on the cluster's calendar from a month ago on, by day; each programme names
    the other agencies' programmes running at the same time, and each group session the
    sessions it clashes with."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=LOOK_BACK_DAYS)
    items: list[CalendarItem] = []
    periods: list[tuple[CalendarItem, int]] = []
    for programme in incentives.cluster_programmes(cluster):
        if programme.ends_on < since:
            continue
        period = CalendarItem(
            kind="programme",
            title=programme.name,
            starts=programme.starts_on,
            ends=programme.ends_on + datetime.timedelta(days=1),
            agency=programme.agency.name,
            detail=programme.get_kind_display(),
            programme_id=programme.pk,
        )
        periods.append((period, programme.agency_id))
        items.append(period)
        items.append(
            CalendarItem(
                kind="deadline",
                title=programme.name,
                starts=programme.ends_on,
                ends=programme.ends_on + datetime.timedelta(days=1),
                agency=programme.agency.name,
                programme_id=programme.pk,
            )
        )
    for period, agency_id in periods:
        period.overlaps = [
            f"{other.title} ({other.agency})"
            for other, other_agency in periods
            if other is not period and other_agency != agency_id and _overlapping(period, other)
        ]
    sessions = list(
        Session.objects.filter(
            cluster=cluster,
            kind=Session.Kind.GROUP,
            status=Session.Status.SCHEDULED,
            starts_at__date__gte=since,
        )
        .select_related("host__profile")
        .order_by("starts_at", "id")[:MAX_SESSIONS]
    )
    held = [
        CalendarItem(
            kind="session",
            title=session.title if titles else "",
            starts=session.starts_at,
            ends=session.ends_at,
            session=session,
            busy_only=not titles,
        )
        for session in sessions
    ]
    for item in held:
        item.overlaps = [
            other.title or f"{timezone.localtime(other.starts):%H:%M}"
            for other in held
            if other is not item and _overlapping(item, other)
        ]
    items.extend(held)
    return sorted(items, key=lambda item: (item.day, item.kind != "programme", item.title))


def sessions_in(items: list[CalendarItem]) -> list[Session]:
    return [item.session for item in items if item.session is not None]
