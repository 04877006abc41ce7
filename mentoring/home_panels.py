"""Mentoring's panels on "My network": what waits for followers, mentors and coordinators."""

from django.db.models import Count, Q
from django.utils import timezone

from core import home_panels
from forums import selectors as forum_selectors
from mentoring import matching, scoring, selectors, sessions
from mentoring.models import Attendance, Goal, MentoringNeeds, MentorOffer, Pairing, Session
from network.models import Membership, User

SHOWN = 5


def _roles(user: User) -> set[str]:
    return set(
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list(
            "role", flat=True
        )
    )


def follower_panel(*, user: User) -> dict | None:
    """Suggested mentors with their reasons, and the goals the firm works towards."""
    needs = MentoringNeeds.objects.filter(user=user).first()
    if needs is None and Membership.Role.FOLLOWER not in _roles(user):
        return None
    # The same call as the mentoring page, so both hold the same mentors' places.
    suggestions = matching.suggest_mentors(follower=user)[:3] if needs else []
    goals = (
        Goal.objects.filter(
            pairing__follower=user,
            pairing__status=Pairing.Status.ACTIVE,
            status=Goal.Status.OPEN,
        )
        .annotate(
            milestones_total=Count("milestones"),
            milestones_done=Count("milestones", filter=Q(milestones__done_at__isnull=False)),
        )
        .select_related("pairing")
        .order_by("year", "due_date", "id")[:SHOWN]
    )
    return {
        "needs": needs,
        "has_pairing": Pairing.objects.filter(follower=user, status__in=Pairing.OPEN).exists(),
        "suggestions": [(s, scoring.describe_all(s.match.reasons)) for s in suggestions],
        "goals": list(goals),
    }


def mentor_panel(*, user: User) -> dict | None:
    """Requests to answer, and questions in the mentor's topics and markets nobody answered."""
    offers = list(
        MentorOffer.objects.filter(
            user=user,
            cluster__memberships__user=user,
            cluster__memberships__status=Membership.Status.ACTIVE,
        ).prefetch_related("topics")
    )
    if not offers and Membership.Role.MENTOR not in _roles(user):
        return None
    requests = [
        pairing
        for pairing in selectors.waiting_for(user, selectors.my_pairings(user))
        if pairing.mentor_id == user.pk
    ]
    tags = {tag.name for offer in offers for tag in offer.topics.all()}
    tags |= {country.name for offer in offers for country in offer.markets}
    return {
        "offers": offers,
        "requests": requests[:SHOWN],
        "questions": forum_selectors.unanswered_questions(user, tags=sorted(tags), limit=SHOWN),
    }


def sessions_panel(*, user: User) -> dict | None:
    """Sessions coming up and those the person attended and has still to confirm."""
    upcoming = selectors.upcoming_sessions(user, limit=SHOWN)
    to_confirm = list(sessions.awaiting_confirmation(user)[:SHOWN])
    if not upcoming and not to_confirm and not _roles(user):
        return None
    return {"upcoming": upcoming, "to_confirm": to_confirm}


def coordinator_panel(*, user: User) -> dict | None:
    """Per coordinated cluster: followers still without a mentor, and the next group
    sessions with how many said they come; the same few queries however many clusters."""
    clusters = [
        membership.cluster
        for membership in Membership.objects.filter(
            user=user, status=Membership.Status.ACTIVE, role=Membership.Role.COORDINATOR
        )
        .select_related("cluster")
        .order_by("cluster__name")[:10]
    ]
    if not clusters:
        return None
    unmatched = matching.unmatched_counts(clusters)
    upcoming = list(
        Session.objects.filter(
            cluster__in=clusters,
            kind=Session.Kind.GROUP,
            status=Session.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .annotate(
            going=Count(
                "attendances",
                filter=Q(
                    attendances__answer=Attendance.Answer.YES,
                    attendances__waitlisted=False,
                ),
            )
        )
        .order_by("starts_at", "id")[:100]
    )
    rows = []
    for cluster in clusters:
        mine = [session for session in upcoming if session.cluster_id == cluster.pk][:3]
        rows.append(
            {
                "cluster": cluster,
                "unmatched": unmatched.get(cluster.pk, 0),
                "sessions": [(session, session.going) for session in mine],
            }
        )
    return {"clusters": rows}


home_panels.register(home_panels.Panel("mentor", 10, "mentoring/panels/mentor.html", mentor_panel))
home_panels.register(
    home_panels.Panel("sessions", 15, "mentoring/panels/sessions.html", sessions_panel)
)
home_panels.register(
    home_panels.Panel("follower", 11, "mentoring/panels/follower.html", follower_panel)
)
home_panels.register(
    home_panels.Panel("coordinator", 30, "mentoring/panels/coordinator.html", coordinator_panel)
)
