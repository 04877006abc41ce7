"""Export outcomes derived from firms' yearly export records, and the goals they meet.

Entry is the year of a firm's first export; survival means exporting again 1, 2 and 3 years
after entry; diversification counts distinct product-market pairs and the new ones each year.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby, repeat
from operator import itemgetter

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import hs
from mentoring.models import ExportRecord, Goal, Milestone, Pairing
from mentoring.scoring import same_product
from mentoring.services import MentoringError, NotAllowed, is_coordinator, text
from network import notify
from network.models import Organization, User

SURVIVAL_YEARS = (1, 2, 3)


@dataclass(frozen=True)
class Export:
    year: int
    hs_code: str
    country: str


@dataclass
class FirmOutcome:
    entry_year: int | None
    # years after entry -> exported that year; None when that year has not come yet.
    survived: dict[int, bool | None]
    pairs: int
    new_pairs_by_year: dict[int, int]

    @property
    def entered(self) -> bool:
        return self.entry_year is not None


def derive(exports: Iterable[Export], *, as_of: int) -> FirmOutcome:
    """One firm's outcomes from its records, judged in year `as_of` (later years unknown)."""
    exports = [e for e in exports if e.year <= as_of]
    years = {e.year for e in exports}
    entry = min(years) if years else None
    survived = {
        n: (None if entry is None or entry + n > as_of else (entry + n) in years)
        for n in SURVIVAL_YEARS
    }
    seen: set[tuple[str, str]] = set()
    new_by_year: dict[int, int] = {}
    for year in sorted(years):
        pairs = {(e.hs_code, e.country) for e in exports if e.year == year}
        new = pairs - seen
        if new:
            new_by_year[year] = len(new)
        seen |= pairs
    return FirmOutcome(
        entry_year=entry, survived=survived, pairs=len(seen), new_pairs_by_year=new_by_year
    )


@dataclass
class CohortOutcome:
    firms: int = 0
    entered: int = 0
    # years after entry -> (firms that survived, firms whose year has come)
    survival: dict[int, tuple[int, int]] = field(default_factory=dict)
    pairs: int = 0
    new_pairs_by_year: dict[int, int] = field(default_factory=dict)

    def survival_rate(self, years: int) -> float | None:
        survived, eligible = self.survival.get(years, (0, 0))
        return survived / eligible if eligible else None


def cohort(outcomes: Iterable[FirmOutcome]) -> CohortOutcome:
    total = CohortOutcome(survival={n: (0, 0) for n in SURVIVAL_YEARS})
    new_by_year: dict[int, int] = defaultdict(int)
    for firm in outcomes:
        total.firms += 1
        total.entered += firm.entered
        total.pairs += firm.pairs
        for n, result in firm.survived.items():
            if result is not None:
                survived, eligible = total.survival[n]
                total.survival[n] = (survived + result, eligible + 1)
        for year, count in firm.new_pairs_by_year.items():
            new_by_year[year] += count
    total.new_pairs_by_year = dict(sorted(new_by_year.items()))
    return total


def exports_of(organization_ids: Iterable[int]) -> dict[int, list[Export]]:
    found: dict[int, list[Export]] = defaultdict(list)
    rows = ExportRecord.objects.filter(organization_id__in=list(organization_ids))
    for org_id, year, code, country in rows.values_list(
        "organization_id", "year", "hs_code", "country"
    ):
        found[org_id].append(Export(year, code, str(country)))
    return found


def firm_outcomes(organizations: list[Organization], *, as_of: int) -> dict[int, FirmOutcome]:
    exports = exports_of(org.pk for org in organizations)
    return {org.pk: derive(exports.get(org.pk, []), as_of=as_of) for org in organizations}


def cohort_of(organizations: QuerySet[Organization], *, as_of: int) -> CohortOutcome:
    """The totals of every firm in the query, in two queries whatever the cohort's size.

    Records are read firm by firm from one ordered stream, so memory holds one firm's
    records at a time, not the whole cohort's.
    """
    firms = organizations.count()
    rows = (
        ExportRecord.objects.filter(organization__in=organizations.values("pk"))
        .order_by("organization_id")
        .values_list("organization_id", "year", "hs_code", "country")
        .iterator(chunk_size=2000)
    )

    def each_firm() -> Iterator[FirmOutcome]:
        exporting = 0
        for _org_id, records in groupby(rows, key=itemgetter(0)):
            exporting += 1
            yield derive(
                [Export(year, code, str(country)) for _, year, code, country in records],
                as_of=as_of,
            )
        yield from repeat(derive([], as_of=as_of), max(firms - exporting, 0))

    return cohort(each_firm())


# --- Export records ------------------------------------------------------------------


def _may_record(user: User, organization: Organization) -> bool:
    return user.profile.organization_id == organization.pk


@transaction.atomic
def record_export(
    *, organization: Organization, by: User, year: int, hs_code: str, country: str, value_band: str
) -> ExportRecord:
    """A firm's people record what it exported; goals the record meets are marked met."""
    if not _may_record(by, organization):
        raise NotAllowed(gettext_lazy("Only people of this firm can record its exports."))
    if year > timezone.now().year:
        raise MentoringError(gettext_lazy("Exports can be recorded for past and current years."))
    if not hs.is_code(hs_code):
        raise MentoringError(_("%(code)s is not an HS chapter or heading.") % {"code": hs_code})
    if value_band not in ExportRecord.ValueBand.values:
        raise MentoringError(gettext_lazy("Choose a value band."))
    try:
        with transaction.atomic():
            record = ExportRecord.objects.create(
                organization=organization,
                year=year,
                hs_code=hs_code,
                country=country,
                value_band=value_band,
                recorded_by=by,
            )
    except IntegrityError:
        raise MentoringError(
            gettext_lazy("This product, market and year is already recorded.")
        ) from None
    meet_goals(organization=organization)
    return record


@transaction.atomic
def delete_export(*, record: ExportRecord, by: User) -> None:
    if not _may_record(by, record.organization):
        raise NotAllowed(gettext_lazy("Only people of this firm can change its exports."))
    if Goal.objects.filter(met_by=record).exists():
        raise MentoringError(gettext_lazy("A goal was met by this record; it stays as evidence."))
    record.delete()


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


# --- Goals ---------------------------------------------------------------------------


def _require_member(pairing: Pairing, by: User) -> None:
    if not (pairing.involves(by) or is_coordinator(by, pairing.cluster)):
        raise NotAllowed()


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
        raise MentoringError(gettext_lazy("Goals are set in an active pairing."))
    organization = pairing.follower.profile.organization
    if organization is None:
        raise MentoringError(
            gettext_lazy("The follower's firm is not on their profile yet: add it first.")
        )
    if outcome not in Goal.Outcome.values:
        raise MentoringError(gettext_lazy("Choose an outcome."))
    if not title.strip():
        raise MentoringError(gettext_lazy("Give the goal a title."))
    started = (pairing.started_at or timezone.now()).year
    if not started <= year <= started + 10:
        raise MentoringError(
            _("Choose a year from %(first)d to %(last)d.")
            % {"first": started, "last": started + 10}
        )
    if hs_code and not hs.exists(hs_code):
        raise MentoringError(_("%(code)s is not an HS chapter or heading.") % {"code": hs_code})
    if (
        outcome == Goal.Outcome.ENTRY
        and ExportRecord.objects.filter(organization=organization).exists()
    ):
        raise MentoringError(
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
        raise MentoringError(gettext_lazy("Unknown status."))
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
        raise MentoringError(gettext_lazy("Give the milestone a title."))
    return Milestone.objects.create(goal=goal, title=title.strip()[:200], due_date=due_date)


@transaction.atomic
def toggle_milestone(*, milestone: Milestone, by: User) -> Milestone:
    _require_member(milestone.goal.pairing, by)
    milestone.done_at = None if milestone.done_at else timezone.now()
    milestone.save(update_fields=["done_at"])
    return milestone
