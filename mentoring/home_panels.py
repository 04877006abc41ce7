"""Mentoring's panels on "My network": what waits for followers, mentors and coordinators."""

from core import home_panels
from core.compiled import compiled_read
from forums import selectors as forum_selectors
from mentoring import scoring
from mentoring.selectors import cohorts, goals, offers, pairings, sessions
from mentoring.services.suggestions import reserve_suggestions
from network.models import Membership, User
from network.selectors import active_roles_of, coordinated_clusters_of

SHOWN = 5
CLUSTERS = 10  # a coordinator's panel shows the first ten clusters they run, by name


def _roles(user: User) -> set[str]:
    return active_roles_of(user)


def follower_panel(*, user: User) -> dict | None:
    """Suggested mentors with their reasons, and the goals the firm works towards."""
    needs = offers.needs_with_readiness_of(user)
    if needs is None and Membership.Role.FOLLOWER not in _roles(user):
        return None
    # The same reservation as the mentoring page: the mentors shown here hold their places
    # for this follower, and are not shown to more followers than they can take.
    suggestions = reserve_suggestions(follower=user)[:3] if needs else []
    return {
        "needs": needs,
        "has_pairing": bool(pairings.open_pairing_offer_ids(user)),
        "suggestions": [
            (s, scoring.describe_all(s.match.reasons, to_follower=True)) for s in suggestions
        ],
        "goals": goals.open_goals_of(user, limit=SHOWN),
    }


@compiled_read()
def _requests(p):
    return (
        pairings.requests_to_answer(p.mentor)
        .select_related("cluster", "follower__profile")
        .only("cluster__name", "follower__profile__display_name")[:SHOWN]
    )


def mentor_panel(*, user: User) -> dict | None:
    """Requests to answer, and questions in the mentor's topics and markets nobody answered."""
    live = offers.live_offers_of(user)
    if not live and Membership.Role.MENTOR not in _roles(user):
        return None
    requests = _requests(mentor=user.pk)
    tags = {name for names in offers.topic_names(live).values() for name in names}
    tags |= {country.name for offer in live for country in offer.markets}
    return {
        "offers": live,
        "requests": requests,
        "questions": forum_selectors.unanswered_questions(user, tags=sorted(tags), limit=SHOWN),
    }


def sessions_panel(*, user: User) -> dict | None:
    """Sessions coming up and those the person attended and has still to confirm."""
    upcoming = sessions.upcoming_sessions(user, limit=SHOWN)
    to_confirm = sessions.sessions_to_confirm(user, limit=SHOWN)
    if not upcoming and not to_confirm and not _roles(user):
        return None
    return {"upcoming": upcoming, "to_confirm": to_confirm}


def coordinator_panel(*, user: User) -> dict | None:
    """Per coordinated cluster: followers still without a mentor, and the next group
    sessions with how many said they come; the same few queries however many clusters."""
    clusters = coordinated_clusters_of(user)[:CLUSTERS]
    if not clusters:
        return None
    unmatched = cohorts.unmatched_counts(clusters)
    upcoming = sessions.upcoming_group_sessions(clusters)
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
