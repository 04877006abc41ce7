"""Sessions the viewer may see, answer or confirm, and the calendars that list them."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.compiled import compiled_read
from mentoring.models import Attendance, CalendarFeed, Pairing, Session, SessionFeedback
from network.models import Cluster, Membership, User
from network.selectors import active_memberships_of, is_coordinator

Answer = Attendance.Answer


def can_see(user: User, session: Session) -> bool:
    """A pairing's session: its two people and the cluster's coordinators; a group session:
    the cluster's active members."""
    if not user.is_authenticated:
        return False
    if session.pairing_id:
        return session.pairing.involves(user) or is_coordinator(user=user, cluster=session.cluster)
    return Membership.objects.active().of(user).filter(cluster_id=session.cluster_id).exists()


def session_for(user: User, session_id: int) -> Session:
    session = (
        Session.objects.select_related("cluster", "pairing", "host__profile")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not can_see(user, session):
        raise Http404
    return session


def attendances_of(session: Session) -> list[Attendance]:
    return list(
        session.attendances.select_related("user__profile").order_by(
            "waitlisted", "answered_at", "id"
        )
    )


def feedback_of(session: Session) -> list[SessionFeedback]:
    return list(session.feedback.select_related("follower__profile"))


def sessions_of_pairing(pairing: Pairing, limit: int = 20) -> list[Session]:
    return list(pairing.sessions.order_by("-starts_at")[:limit])


def upcoming_of(user: User, *, now=None) -> QuerySet[Session]:
    """Sessions still to come that this person hosts or said they go or may go to, soonest
    first. (`user` and `now` may be a compiled read's parameters.)"""
    going = Attendance.objects.filter(user=user, answer__in=[Answer.YES, Answer.MAYBE])
    return Session.objects.filter(
        Q(host=user) | Q(pk__in=going.values("session_id")),
        starts_at__gte=timezone.now() if now is None else now,
        status=Session.Status.SCHEDULED,
    ).order_by("starts_at", "id")


# A session's line in a list: its title and time, linked by its id.
LINE = ("title", "starts_at")


def upcoming_sessions(user: User, limit: int = 10) -> list[Session]:
    """The next sessions of this person, as lines with their cluster's name."""
    return _upcoming_lines(member=user.pk, now=timezone.now(), limit=limit)


@compiled_read(shape=("limit",))
def _upcoming_lines(p, *, limit: int):
    lines = upcoming_of(p.member, now=p.now).select_related("cluster")
    return lines.only(*LINE, "cluster__name")[:limit]


def cluster_sessions(cluster: Cluster, *, upcoming: bool = True, limit: int = 30) -> list[Session]:
    now = timezone.now()
    sessions = Session.objects.filter(cluster=cluster, kind=Session.Kind.GROUP)
    sessions = (
        sessions.filter(starts_at__gte=now) if upcoming else sessions.filter(starts_at__lt=now)
    )
    order = "starts_at" if upcoming else "-starts_at"
    return list(sessions.select_related("host__profile").order_by(order)[:limit])


def upcoming_group_sessions(clusters: list[Cluster], limit: int = 100) -> list[Session]:
    """The next group sessions of these clusters, each with `going`: places taken. Read for
    a line each: title and time."""
    ids = [cluster.pk for cluster in clusters]
    return _upcoming_group(clusters=ids, now=timezone.now(), limit=limit)


@compiled_read(shape=("limit",))
def _upcoming_group(p, *, limit: int):
    return (
        Session.objects.filter(
            cluster__in=p.many("clusters"),
            kind=Session.Kind.GROUP,
            status=Session.Status.SCHEDULED,
            starts_at__gte=p.now,
        )
        .annotate(
            going=Count(
                "attendances",
                filter=Q(attendances__answer=Answer.YES, attendances__waitlisted=False),
            )
        )
        .only("cluster_id", "title", "starts_at")
        .order_by("starts_at", "id")[:limit]
    )


def organization_id_of(user: User) -> int | None:
    return getattr(getattr(user, "profile", None), "organization_id", None)


def awaiting_confirmation(user: User) -> QuerySet[Session]:
    """Sessions begun that this person attended as a follower and has not confirmed yet.

    One-to-one: the pairing's follower, whoever hosted. Group: an active follower of the
    cluster, neither the host nor from the host's own organization (a firm does not confirm,
    and so credit, its own session). Either way they answered going, held a place, and were
    not marked absent.
    """
    # The clusters followed, from the memberships the page has read already (core.memo).
    following = [
        m.cluster_id for m in active_memberships_of(user) if m.role == Membership.Role.FOLLOWER
    ]
    return _awaiting(user, timezone.now(), following, organization_id_of(user))


def _awaiting(user, now, following, organization_id) -> QuerySet[Session]:
    # Subqueries of ids, not correlated ones: the same rows, at half the cost to build.
    attended = Attendance.objects.filter(user=user, answer=Answer.YES, waitlisted=False).exclude(
        attended=False
    )
    confirmed = SessionFeedback.objects.filter(follower=user)
    group = Q(pairing__isnull=True, cluster_id__in=following) & ~Q(host=user)
    if organization_id is not None:
        group &= ~Q(host__profile__organization_id=organization_id)
    return (
        Session.objects.filter(
            pk__in=attended.values("session_id"),
            status=Session.Status.SCHEDULED,
            starts_at__lt=now,
        )
        .filter(Q(pairing__follower=user) | group)
        .exclude(pk__in=confirmed.values("session_id"))
    )


def sessions_to_confirm(user: User, limit: int = 10) -> list[Session]:
    """The first sessions waiting for this person's confirmation, as lines."""
    organization_id = organization_id_of(user)
    values = {"member": user.pk, "now": timezone.now(), "limit": limit}
    if organization_id is None:
        return _lines_to_confirm(**values, firm=False)
    return _lines_to_confirm(**values, organization=organization_id, firm=True)


@compiled_read(shape=("limit", "firm"))
def _lines_to_confirm(p, *, limit: int, firm: bool):
    following = Membership.objects.active().filter(user=p.member, role=Membership.Role.FOLLOWER)
    organization_id = p.organization if firm else None
    awaiting = _awaiting(p.member, p.now, following.values("cluster_id"), organization_id)
    return awaiting.only(*LINE)[:limit]


def can_confirm(user: User, session: Session) -> bool:
    """Whether this person may confirm now that the session took place (it is over)."""
    return (
        session.ends_at <= timezone.now()
        and awaiting_confirmation(user).filter(pk=session.pk).exists()
    )


def sessions_of(user: User) -> QuerySet[Session]:
    """Sessions on this person's calendar: hosted, or answered going or maybe, and still theirs
    to see (a member who left a cluster stops receiving its sessions)."""
    member_of = Membership.objects.active().of(user).values("cluster_id")
    answered = Attendance.objects.filter(
        session=OuterRef("pk"), user=user, answer__in=[Answer.YES, Answer.MAYBE]
    )
    return (
        Session.objects.filter(Q(host=user) | Exists(answered))
        .filter(
            Q(pairing__mentor=user)
            | Q(pairing__follower=user)
            | Q(pairing__isnull=True, cluster_id__in=member_of)
        )
        .select_related("cluster")
    )


def calendar_sessions(user: User, *, limit: int = 500) -> QuerySet[Session]:
    """The feed: from three months back onwards, soonest first."""
    since = timezone.now() - timedelta(days=90)
    return sessions_of(user).filter(starts_at__gte=since).order_by("starts_at")[:limit]


def live_feed(token: str) -> CalendarFeed | None:
    """The feed this address opens, unless it was revoked or has lapsed."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    return None if feed is None or feed.is_expired else feed
