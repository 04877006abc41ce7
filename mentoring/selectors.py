"""Reads the mentoring pages need; each returns only what the viewer may see."""

import datetime

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mentoring.models import Attendance, ExportRecord, Goal, MentorOffer, Pairing, Session
from mentoring.services import is_coordinator
from mentoring.sessions import can_see
from network.models import Cluster, Membership, Organization, Profile, User

Status = Pairing.Status


def _pairings() -> QuerySet[Pairing]:
    return Pairing.objects.select_related("cluster", "mentor__profile", "follower__profile")


def pairing_for(user: User, pairing_id: int) -> Pairing:
    """The pairing if the viewer is one of the two or coordinates its cluster; 404 otherwise."""
    pairing = _pairings().filter(pk=pairing_id).first()
    if pairing is None or not user.is_authenticated:
        raise Http404
    if not (pairing.involves(user) or is_coordinator(user, pairing.cluster)):
        raise Http404
    return pairing


def my_pairings(user: User) -> QuerySet[Pairing]:
    return (
        _pairings()
        .filter(Q(mentor=user) | Q(follower=user), status__in=Pairing.OPEN)
        .order_by("-updated_at")
    )


def past_pairings(user: User, limit: int = 20) -> list[Pairing]:
    return list(
        _pairings()
        .filter(Q(mentor=user) | Q(follower=user))
        .exclude(status__in=Pairing.OPEN)
        .order_by("-updated_at")[:limit]
    )


def waiting_for(user: User, pairings) -> list[Pairing]:
    """Open pairings that need this person's answer."""
    return [
        p
        for p in pairings
        if p.status in (Status.REQUESTED, Status.PROPOSED)
        and (
            (p.mentor_id == user.pk and p.mentor_accepted_at is None)
            or (p.follower_id == user.pk and p.follower_accepted_at is None)
        )
    ]


def mentor_clusters(user: User) -> QuerySet[Membership]:
    """Where this person may offer mentoring, with their offer there if any."""
    return (
        Membership.objects.filter(
            user=user,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.MENTOR, Membership.Role.COORDINATOR],
        )
        .select_related("cluster")
        .order_by("cluster__name")
    )


def offers_of(user: User) -> dict[int, MentorOffer]:
    return {offer.cluster_id: offer for offer in MentorOffer.objects.filter(user=user)}


def offer_for_request(user: User, offer_id: int) -> MentorOffer:
    """An offer the follower may look at: in a cluster they can see."""
    offer = (
        MentorOffer.objects.select_related("cluster", "user__profile__organization")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise Http404
    member = Membership.objects.filter(
        user=user, cluster=offer.cluster, status=Membership.Status.ACTIVE
    ).exists()
    if not (member or offer.cluster.is_public):
        raise Http404
    return offer


def goals_of(pairing: Pairing) -> list[Goal]:
    return list(pairing.goals.prefetch_related("milestones").select_related("met_by"))


def goal_for(user: User, goal_id: int) -> Goal:
    goal = Goal.objects.select_related("pairing__cluster").filter(pk=goal_id).first()
    if goal is None:
        raise Http404
    pairing_for(user, goal.pairing_id)
    return goal


def upcoming_sessions(user: User, limit: int = 10) -> list[Session]:
    return list(
        Session.objects.filter(
            Q(host=user) | Q(attendances__user=user, attendances__answer__in=["yes", "maybe"]),
            starts_at__gte=timezone.now(),
            status=Session.Status.SCHEDULED,
        )
        .distinct()
        .select_related("cluster", "host__profile")
        .order_by("starts_at")[:limit]
    )


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


def cluster_sessions(cluster: Cluster, *, upcoming: bool = True, limit: int = 30) -> list[Session]:
    now = timezone.now()
    sessions = Session.objects.filter(cluster=cluster, kind=Session.Kind.GROUP)
    sessions = (
        sessions.filter(starts_at__gte=now) if upcoming else sessions.filter(starts_at__lt=now)
    )
    order = "starts_at" if upcoming else "-starts_at"
    return list(sessions.select_related("host__profile").order_by(order)[:limit])


def export_records(organization: Organization) -> QuerySet[ExportRecord]:
    return organization.export_records.all()


MENTORED = [Status.ACTIVE, Status.COMPLETED, Status.ENDED]


def mentored_firms(cluster: Cluster) -> QuerySet[Organization]:
    """Firms of the followers mentored in this cluster: the cohort whose outcomes we report.

    Not evaluated: the page reads it a page at a time and totals it without loading it all.
    """
    mentored = Pairing.objects.filter(cluster=cluster, status__in=MENTORED).values("follower_id")
    return Organization.objects.filter(
        Exists(Profile.objects.filter(organization=OuterRef("pk"), user_id__in=mentored))
    ).order_by("name", "id")


def mentored_and_other_firms(cluster_ids) -> tuple[list[Organization], list[Organization]]:
    """Firms of followers mentored in these clusters, and firms of their other followers."""
    mentored_ids = Pairing.objects.filter(cluster_id__in=cluster_ids, status__in=MENTORED).values(
        "follower_id"
    )
    mentored = list(
        Organization.objects.filter(people__user__in=mentored_ids).distinct().order_by("name")
    )
    followers = Membership.objects.filter(
        cluster_id__in=cluster_ids,
        status=Membership.Status.ACTIVE,
        role=Membership.Role.FOLLOWER,
    ).values("user_id")
    others = list(
        Organization.objects.filter(people__user__in=followers, kind=Organization.Kind.FIRM)
        .exclude(pk__in=[firm.pk for firm in mentored])
        .distinct()
        .order_by("name")
    )
    return mentored, others


def first_pairing_starts(cluster_ids) -> dict[int, datetime.datetime]:
    """When each firm's people first started being mentored in these clusters, by firm id."""
    rows = (
        Pairing.objects.filter(
            cluster_id__in=cluster_ids, status__in=MENTORED, started_at__isnull=False
        )
        .exclude(follower__profile__organization=None)
        .values("follower__profile__organization")
        .annotate(first=Min("started_at"))
    )
    return {row["follower__profile__organization"]: row["first"] for row in rows}


def participation(cluster_ids) -> dict[str, int]:
    """Mentors and followers in active pairings in these clusters."""
    active = Pairing.objects.filter(cluster_id__in=cluster_ids, status=Status.ACTIVE)
    return {
        "mentors": active.values("mentor_id").distinct().count(),
        "followers": active.values("follower_id").distinct().count(),
        "pairings": active.count(),
    }
