"""A pairing's goals and milestones, and the goals a follower's firm works towards."""

from django.db.models import Count, Q
from django.http import Http404

from core.compiled import compiled_read
from mentoring.models import Goal, Milestone, Pairing
from mentoring.selectors.pairings import pairing_for
from network.models import User


def goals_of(pairing: Pairing) -> list[Goal]:
    return list(pairing.goals.prefetch_related("milestones").select_related("met_by"))


def goal_for(user: User, goal_id: int) -> Goal:
    """The goal if the viewer may see its pairing; 404 otherwise."""
    goal = Goal.objects.select_related("pairing__cluster").filter(pk=goal_id).first()
    if goal is None:
        raise Http404
    pairing_for(user, goal.pairing_id)
    return goal


def milestone_for(user: User, milestone_id: int) -> Milestone:
    """The milestone if the viewer may see its pairing; 404 otherwise."""
    milestone = Milestone.objects.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404
    milestone.goal = goal_for(user, milestone.goal_id)
    return milestone


def open_goals_of(follower: User, limit: int) -> list[Goal]:
    """Open goals of the follower's active pairings, soonest first, with milestones counted:
    what a line of "My network" shows of each, and its pairing's id for the link."""
    return _open_goals(follower=follower.pk, limit=limit)


@compiled_read(shape=("limit",))
def _open_goals(p, *, limit: int):
    return (
        Goal.objects.filter(
            pairing__follower=p.follower,
            pairing__status=Pairing.Status.ACTIVE,
            status=Goal.Status.OPEN,
        )
        .annotate(
            milestones_total=Count("milestones"),
            milestones_done=Count("milestones", filter=Q(milestones__done_at__isnull=False)),
        )
        .only("pairing_id", "title", "outcome", "due_date")
        .order_by("year", "due_date", "id")[:limit]
    )
