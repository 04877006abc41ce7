"""What a coordinator downloads about their own cluster: its members, each member's
engagement, and what happened between two dates.

Each table costs a fixed number of queries however large the cluster (counts are grouped in
the database, never one query per member), and rows are produced as they are read, so a
download of thousands of members streams.
"""

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from forums.models import Announcement, Post, Room, Topic
from mentoring.models import Attendance, Pairing, Session
from network.models import Cluster, Membership, MembershipEvent

Status = Membership.Status
Action = MembershipEvent.Action
JOINING = (Action.APPROVED, Action.INVITATION_ACCEPTED, Action.CREATED)
# The pairing states a coordinator follows, in the order the columns show them.
PAIRING_STATES = [
    Pairing.Status.REQUESTED,
    Pairing.Status.PROPOSED,
    Pairing.Status.ACTIVE,
    Pairing.Status.COMPLETED,
    Pairing.Status.ENDED,
]


def _members(cluster: Cluster):
    """Everyone who holds a place in the cluster now (active or suspended), with the date
    they joined: when their request was approved or their invitation accepted."""
    joined = (
        MembershipEvent.objects.filter(
            cluster=cluster, action__in=JOINING, subject=OuterRef("user")
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        Membership.objects.filter(cluster=cluster, status__in=(Status.ACTIVE, Status.SUSPENDED))
        .select_related("user__profile__organization")
        .annotate(joined=Coalesce(Subquery(joined), "created_at"))
        .order_by("user__profile__display_name", "pk")
    )


def members_rows(cluster: Cluster) -> tuple[list[str], Iterator[list]]:
    headers = [_("Name"), _("Handle"), _("Role"), _("Status"), _("Organization"), _("Joined")]

    def rows():
        for membership in _members(cluster).iterator(chunk_size=500):
            profile = membership.user.profile
            organization = profile.organization.name if profile.organization else ""
            yield [
                profile.display_name,
                profile.handle,
                membership.get_role_display(),
                membership.get_status_display(),
                organization,
                timezone.localtime(membership.joined).date().isoformat(),
            ]

    return headers, rows()


def _grouped(queryset, field: str) -> Counter:
    return Counter(dict(queryset.values_list(field).annotate(n=Count("pk")).order_by()))


def engagement_rows(cluster: Cluster) -> tuple[list[str], Iterator[list]]:
    """Per member: forum posts, sessions hosted and attended, and their pairings by state."""
    posts = _grouped(
        Post.objects.filter(
            topic__room__cluster=cluster, topic__room__kind=Room.Kind.FORUM, is_hidden=False
        ),
        "author",
    )
    held = Session.objects.filter(
        cluster=cluster, status=Session.Status.SCHEDULED, starts_at__lt=timezone.now()
    )
    hosted = _grouped(held, "host")
    attended = _grouped(
        Attendance.objects.filter(session__in=held).filter(
            Q(attended=True) | Q(attended=None, answer=Attendance.Answer.YES)
        ),
        "user",
    )
    pairings: dict[tuple[int, str], int] = Counter()
    for side in ("mentor", "follower"):
        for user_id, status, n in (
            Pairing.objects.filter(cluster=cluster)
            .values_list(side, "status")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            pairings[(user_id, status)] += n
    headers = [
        _("Name"),
        _("Handle"),
        _("Role"),
        _("Forum posts"),
        _("Sessions hosted"),
        _("Sessions attended"),
        *[_("Pairings: %(state)s") % {"state": state.label} for state in PAIRING_STATES],
    ]

    def rows():
        for membership in _members(cluster).iterator(chunk_size=500):
            profile, user_id = membership.user.profile, membership.user_id
            yield [
                profile.display_name,
                profile.handle,
                membership.get_role_display(),
                posts[user_id],
                hosted[user_id],
                attended[user_id],
                *[pairings[(user_id, state.value)] for state in PAIRING_STATES],
            ]

    return headers, rows()


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # included

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        return start, end


def default_period() -> Period:
    today = timezone.localdate()
    return Period(start=today - datetime.timedelta(days=89), end=today)


def activity_rows(cluster: Cluster, period: Period) -> list[tuple[str, int]]:
    """What happened in the cluster within the period: one count per line."""
    start, end = period.bounds
    within = {"created_at__gte": start, "created_at__lt": end}
    events = _grouped(MembershipEvent.objects.filter(cluster=cluster, **within), "action")
    forum = Q(room__cluster=cluster, room__kind=Room.Kind.FORUM)
    sessions = Session.objects.filter(
        cluster=cluster,
        status=Session.Status.SCHEDULED,
        starts_at__gte=start,
        starts_at__lt=min(end, timezone.now()),
    )
    pairings = Pairing.objects.filter(cluster=cluster)
    return [
        (_("Members who joined"), sum(events[action] for action in JOINING)),
        (_("Invitations sent"), events[Action.INVITED]),
        (_("Members who left"), events[Action.LEFT]),
        (_("Members suspended"), events[Action.SUSPENDED]),
        (_("Announcements"), Announcement.objects.filter(cluster=cluster, **within).count()),
        (_("Forum topics started"), Topic.objects.filter(forum, **within).count()),
        (
            _("Forum posts written"),
            Post.objects.filter(
                topic__room__cluster=cluster, topic__room__kind=Room.Kind.FORUM, **within
            ).count(),
        ),
        (_("Sessions held"), sessions.count()),
        (
            _("Places taken at sessions held"),
            Attendance.objects.filter(session__in=sessions, answer=Attendance.Answer.YES).count(),
        ),
        (
            _("Pairings started"),
            pairings.filter(started_at__gte=start, started_at__lt=end).count(),
        ),
        (
            _("Pairings completed"),
            pairings.filter(
                status=Pairing.Status.COMPLETED, closed_at__gte=start, closed_at__lt=end
            ).count(),
        ),
    ]
