"""A pairing's goals and milestones. A goal names an export outcome; it is met, with the
record that shows it, as soon as the firm's export records show it."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import hs
from core.errors import DomainError, NotAllowed
from mentoring.models import ExportRecord, Goal, GoalTemplate, Milestone, Pairing
from mentoring.outcomes import Export
from mentoring.scoring import same_product
from mentoring.selectors.outcomes import exports_of
from mentoring.services.common import text
from network import notify
from network.models import Organization, User
from network.selectors import is_coordinator


def _require_member(pairing: Pairing, by: User) -> None:
    if not (pairing.involves(by) or is_coordinator(user=by, cluster=pairing.cluster)):
        raise NotAllowed()


def _meets(goal: Goal, exports: list[Export]) -> Export | None:
    """The record showing the goal is met, if any."""
    started = (goal.pairing.started_at or goal.created_at).year
    if goal.outcome == Goal.Outcome.ENTRY:
        # A first export, made once the mentoring began: older records mean it was not one.
        first = min(exports, key=lambda e: e.year, default=None)
        return first if first is not None and first.year >= started else None
    if goal.outcome == Goal.Outcome.SURVIVAL:
        # Exporting in the goal's year after having exported the year before.
        years = {e.year for e in exports}
        if goal.year - 1 not in years:
            return None
        return next((e for e in exports if e.year == goal.year), None)
    # Diversification: a product-market pair the firm had not exported before the goal's year.
    before = {(e.hs_code, e.country) for e in exports if e.year < goal.year}
    for export in sorted(exports, key=lambda e: e.year):
        if export.year < goal.year or (export.hs_code, export.country) in before:
            continue
        product_ok = not goal.hs_code or same_product(export.hs_code, goal.hs_code)
        market_ok = not goal.market or export.country == str(goal.market)
        if product_ok and market_ok:
            return export
    return None


def meet_goals(*, organization: Organization) -> list[Goal]:
    """Mark met every open goal of the firm that its export records now show."""
    exports = exports_of([organization.pk]).get(organization.pk, [])
    met = []
    open_goals = Goal.objects.filter(organization=organization, status=Goal.Status.OPEN)
    for goal in open_goals.select_related("pairing"):
        export = _meets(goal, exports)
        if export is None:
            continue
        goal.status = Goal.Status.MET
        goal.met_at = timezone.now()
        goal.met_by = ExportRecord.objects.get(
            organization=organization,
            year=export.year,
            hs_code=export.hs_code,
            country=export.country,
        )
        goal.save(update_fields=["status", "met_at", "met_by"])
        met.append(goal)
    for goal in met:
        pairing = goal.pairing
        notify.tell(
            users=[pairing.mentor, pairing.follower],
            template="mentoring/email/goal_met",
            context={
                "goal": goal.title,
                "url": notify.absolute_url(pairing.get_absolute_url()),
            },
            event={
                "type": "goal_met",
                "text": _("Goal met: %(goal)s") % {"goal": goal.title},
                "url": pairing.get_absolute_url(),
            },
        )
    return met


@transaction.atomic
def add_goal(
    *,
    pairing: Pairing,
    by: User,
    outcome: str,
    title: str,
    year: int,
    hs_code: str = "",
    market: str = "",
    due_date: datetime.date | None = None,
) -> Goal:
    title = text(title, Goal, "title")
    _require_member(pairing, by)
    if pairing.status != Pairing.Status.ACTIVE:
        raise DomainError(gettext_lazy("Goals are set in an active pairing."))
    organization = pairing.follower.profile.organization
    if organization is None:
        raise DomainError(
            gettext_lazy("The follower's firm is not on their profile yet: add it first.")
        )
    if outcome not in Goal.Outcome.values:
        raise DomainError(gettext_lazy("Choose an outcome."))
    if not title.strip():
        raise DomainError(gettext_lazy("Give the goal a title."))
    started = (pairing.started_at or timezone.now()).year
    if not started <= year <= started + 10:
        raise DomainError(
            _("Choose a year from %(first)d to %(last)d.")
            % {"first": started, "last": started + 10}
        )
    if hs_code and not hs.exists(hs_code):
        raise DomainError(_("%(code)s is not an HS chapter or heading.") % {"code": hs_code})
    if (
        outcome == Goal.Outcome.ENTRY
        and ExportRecord.objects.filter(organization=organization).exists()
    ):
        raise DomainError(
            gettext_lazy("This firm has exported already: choose diversification or survival.")
        )
    goal = Goal.objects.create(
        pairing=pairing,
        organization=organization,
        outcome=outcome,
        title=title.strip()[:200],
        year=year,
        hs_code=hs_code,
        market=market,
        due_date=due_date,
        created_by=by,
    )
    meet_goals(organization=organization)
    goal.refresh_from_db()
    return goal


@transaction.atomic
def set_goal_status(*, goal: Goal, by: User, status: str) -> Goal:
    _require_member(goal.pairing, by)
    if status not in Goal.Status.values:
        raise DomainError(gettext_lazy("Unknown status."))
    goal.status = status
    goal.met_at = timezone.now() if status == Goal.Status.MET else None
    if status != Goal.Status.MET:
        goal.met_by = None
    goal.save(update_fields=["status", "met_at", "met_by"])
    return goal


@transaction.atomic
def add_milestone(
    *, goal: Goal, by: User, title: str, due_date: datetime.date | None = None
) -> Milestone:
    title = text(title, Milestone, "title")
    _require_member(goal.pairing, by)
    if not title.strip():
        raise DomainError(gettext_lazy("Give the milestone a title."))
    return Milestone.objects.create(goal=goal, title=title.strip()[:200], due_date=due_date)


@transaction.atomic
def toggle_milestone(*, milestone: Milestone, by: User) -> Milestone:
    _require_member(milestone.goal.pairing, by)
    milestone.done_at = None if milestone.done_at else timezone.now()
    milestone.save(update_fields=["done_at"])
    return milestone


@transaction.atomic
def adopt_template(*, template: GoalTemplate, pairing: Pairing, by: User, year: int) -> Goal:
    """A goal from a template, in the adopter's language, with the template's steps as its
    milestones: what the diagnostic suggests for a weak dimension. A first-export template
    adopted by a firm that has exported already aims at diversification instead."""
    outcome = template.outcome
    organization = pairing.follower.profile.organization
    if (
        outcome == Goal.Outcome.ENTRY
        and organization is not None
        and ExportRecord.objects.filter(organization=organization).exists()
    ):
        outcome = Goal.Outcome.DIVERSIFICATION
    goal = add_goal(
        pairing=pairing,
        by=by,
        outcome=outcome,
        title=template.display_title,
        year=year,
    )
    for step in template.display_steps:
        add_milestone(goal=goal, by=by, title=step)
    return goal
