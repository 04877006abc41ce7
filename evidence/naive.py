"""The naive comparison: mentored followers' firms beside the clusters' other followers' firms,
from the firms' exports: customs records where the agency's customs data covers a linked firm's
year (evidence.verified), what the firms reported themselves otherwise.

It is biased by construction (firms that seek a mentor were already likelier to export), so
the Impact page's estimate stands beside it; the programme page and the agency API keep it
because agencies read it, and the difference between the two is the point.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.tables import Chart, Table
from evidence import verified
from mentoring import outcomes
from mentoring.selectors import outcomes as mentoring

SURVIVAL_YEARS = outcomes.SURVIVAL_YEARS


@dataclass(frozen=True)
class Group:
    key: str  # "mentored" or "not_mentored"
    label: str
    outcome: outcomes.CohortOutcome
    from_customs: int = 0  # firm-years whose exports are the customs records
    self_reported: int = 0  # firm-years whose exports are what the firm reported

    def shares(self) -> list[tuple[int, int]]:
        """(part, whole) of the share that has exported, then of each survival year's."""
        entered = (self.outcome.entered, self.outcome.firms)
        return [entered, *(self.outcome.survival[n] for n in SURVIVAL_YEARS)]


def rate(part: int, whole: int) -> float | None:
    """part / whole, from 0 to 1; None when there is no whole to divide."""
    return part / whole if whole else None


def compare(
    cluster_ids: list[int], *, agency_id: int | None = None, as_of: int | None = None
) -> list[Group]:
    """Mentored firms, then the others, judged in year `as_of` (this year by default), with
    the customs records of `agency_id` where they cover a linked firm's year."""
    year = as_of or timezone.localdate().year
    mentored, others = mentoring.mentored_and_other_firms(cluster_ids, fields=verified.FIRM_KEY)
    merged = verified.exports_for(agency_id, [*mentored, *others], as_of=year)
    groups = []
    for key, label, firms in (
        ("mentored", _("Mentored"), mentored),
        ("not_mentored", _("Not mentored"), others),
    ):
        found = outcomes.cohort(outcomes.derive(merged.of(org.pk), as_of=year) for org in firms)
        groups.append(Group(key, label, found, *merged.counts(org.pk for org in firms)))
    return groups


def sources(groups: list[Group]) -> str:
    """Which records the comparison used, as a sentence; empty when no firm-year counts."""
    customs = sum(group.from_customs for group in groups)
    reported = sum(group.self_reported for group in groups)
    said = []
    if customs:
        said.append(
            ngettext("%(n)d firm-year from customs", "%(n)d firm-years from customs", customs)
            % {"n": customs}
        )
    if reported:
        said.append(
            ngettext("%(n)d firm-year self-reported", "%(n)d firm-years self-reported", reported)
            % {"n": reported}
        )
    if not said:
        return ""
    return _("Exports counted: %(sources)s.") % {"sources": ", ".join(said)}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def _bar(part: int, whole: int) -> float | None:
    # The bar shows the whole percent the table shows.
    return float(f"{100 * part / whole:.0f}") if whole else None


def table(groups: list[Group]) -> Table:
    """The comparison as the programme page shows it, its CSV and its chart: shares in %."""
    survival = [
        ngettext("Exported again after %(n)d year", "Exported again after %(n)d years", n)
        % {"n": n}
        for n in SURVIVAL_YEARS
    ]
    share_headers = [_("Share exported"), *survival]
    found = Table(
        "outcomes",
        _("Export outcomes of followers' firms"),
        [_("Firms"), _("Count"), _("Have exported"), *share_headers, _("Pairs")],
    )
    series = {}
    for group in groups:
        shares = group.shares()
        found.rows.append(
            [
                group.label,
                group.outcome.firms,
                group.outcome.entered,
                *(_percent(part, whole) for part, whole in shares),
                group.outcome.pairs,
            ]
        )
        series[group.label] = [_bar(part, whole) for part, whole in shares]
    found.chart = Chart(labels=[str(label) for label in share_headers], series=series)
    return found
