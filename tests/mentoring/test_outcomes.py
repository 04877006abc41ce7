"""Export outcomes derived from a hand-built panel; goals met by the records."""

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from mentoring import outcomes
from mentoring.models import ExportRecord, Goal
from mentoring.outcomes import Export, derive
from mentoring.services import exports, goals

THIS_YEAR = timezone.now().year

# A panel of four firms, judged in 2025.
PANEL = {
    # Entered 2020, exported every year after: survives 1, 2 and 3 years; adds a market in 2022.
    "steady": [
        Export(2020, "0901", "DE"),
        Export(2021, "0901", "DE"),
        Export(2022, "0901", "DE"),
        Export(2022, "0901", "US"),
        Export(2023, "0901", "US"),
    ],
    # Entered 2021, stopped, came back in 2023: survived 1 year no, 2 years yes, 3 years no.
    "stop_start": [Export(2021, "1801", "US"), Export(2023, "1801", "US")],
    # Entered 2024: only the first survival year has come (2025), and it did not export.
    "newcomer": [Export(2024, "0804", "CA"), Export(2024, "0804", "US")],
    # Never exported.
    "not_yet": [],
}


def test_entry_survival_and_diversification_per_firm():
    steady = derive(PANEL["steady"], as_of=2025)
    assert steady.entry_year == 2020
    assert steady.survived == {1: True, 2: True, 3: True}
    assert steady.pairs == 2
    assert steady.new_pairs_by_year == {2020: 1, 2022: 1}

    stop_start = derive(PANEL["stop_start"], as_of=2025)
    assert stop_start.survived == {1: False, 2: True, 3: False}

    newcomer = derive(PANEL["newcomer"], as_of=2025)
    assert newcomer.survived == {1: False, 2: None, 3: None}
    assert newcomer.new_pairs_by_year == {2024: 2}

    assert derive(PANEL["not_yet"], as_of=2025).entered is False


def test_years_after_the_judgement_year_are_not_known_yet():
    assert derive(PANEL["steady"], as_of=2021).survived == {1: True, 2: None, 3: None}
    assert derive(PANEL["steady"], as_of=2021).pairs == 1


def test_cohort_counts_only_firms_whose_year_has_come():
    total = outcomes.cohort(derive(firm, as_of=2025) for firm in PANEL.values())
    assert total.firms == 4 and total.entered == 3
    assert total.survival == {1: (1, 3), 2: (2, 2), 3: (1, 2)}
    assert total.survival_rate(2) == 1.0
    assert total.pairs == 2 + 1 + 2
    assert total.new_pairs_by_year == {2020: 1, 2021: 1, 2022: 1, 2024: 2}


def record(net, year, code, country):
    return exports.record_export(
        organization=net.felipe.profile.organization,
        by=net.felipe,
        year=year,
        hs_code=code,
        country=country,
        value_band="lt10k",
    )


def goal(net, pairing, outcome, year, **fields):
    return goals.add_goal(
        pairing=pairing,
        by=net.ana,
        outcome=outcome,
        title=f"{outcome} {year}",
        year=year,
        **fields,
    )


def test_an_entry_goal_is_met_by_the_first_recorded_export(net, pairing, commit):
    entry = goal(net, pairing, Goal.Outcome.ENTRY, THIS_YEAR)
    assert entry.status == Goal.Status.OPEN
    with commit():
        first = record(net, THIS_YEAR, "0901", "DE")
    entry.refresh_from_db()
    assert entry.status == Goal.Status.MET and entry.met_by == first
    assert "Goal met" in mail.outbox[-1].subject


def test_an_old_record_added_later_shows_it_was_no_first_export(net, pairing):
    entry = goal(net, pairing, Goal.Outcome.ENTRY, THIS_YEAR)
    record(net, 2005, "0901", "DE")  # back-filled history: the firm had exported long ago
    record(net, THIS_YEAR, "0901", "DE")
    entry.refresh_from_db()
    assert entry.status == Goal.Status.OPEN


def test_a_firm_that_exports_already_sets_no_entry_goal(net, pairing):
    record(net, THIS_YEAR - 2, "0901", "DE")
    with pytest.raises(DomainError, match="exported already"):
        goal(net, pairing, Goal.Outcome.ENTRY, THIS_YEAR)


def test_goal_years_start_with_the_mentoring(net, pairing):
    with pytest.raises(DomainError, match="Choose a year"):
        goal(net, pairing, Goal.Outcome.DIVERSIFICATION, THIS_YEAR - 3)
    assert not Goal.objects.exists()


def test_a_survival_goal_needs_exports_in_its_year_and_the_year_before(net, pairing):
    survival = goal(net, pairing, Goal.Outcome.SURVIVAL, THIS_YEAR)
    record(net, THIS_YEAR, "0901", "US")  # a first-ever export is not survival
    survival.refresh_from_db()
    assert survival.status == Goal.Status.OPEN
    record(net, THIS_YEAR - 1, "0901", "DE")
    survival.refresh_from_db()
    assert survival.status == Goal.Status.MET


def test_a_diversification_goal_needs_a_new_pair_matching_its_market(net, pairing):
    record(net, THIS_YEAR - 1, "0901", "DE")
    new_market = goal(net, pairing, Goal.Outcome.DIVERSIFICATION, THIS_YEAR, market="JP")
    record(net, THIS_YEAR, "0901", "DE")  # the same pair again: not diversification
    record(net, THIS_YEAR, "0901", "US")  # a new pair, but not the market aimed for
    new_market.refresh_from_db()
    assert new_market.status == Goal.Status.OPEN
    record(net, THIS_YEAR, "0901", "JP")
    new_market.refresh_from_db()
    assert new_market.status == Goal.Status.MET
    assert new_market.met_by.country == "JP"


def test_only_the_firms_people_record_its_exports(net):
    with pytest.raises(NotAllowed):
        exports.record_export(
            organization=net.felipe.profile.organization,
            by=net.ana,
            year=2024,
            hs_code="0901",
            country="DE",
            value_band="lt10k",
        )
    assert not ExportRecord.objects.filter(organization=net.felipe.profile.organization).exists()


def test_bad_records_are_refused_and_nothing_is_written(net):
    record(net, 2024, "0901", "DE")
    for year, code, band, message in [
        (2024, "0901", "lt10k", "already recorded"),
        (2999, "0901", "lt10k", "past and current"),
        (2024, "0000", "lt10k", "not an HS"),
        (2024, "0901", "lots", "value band"),
    ]:
        with pytest.raises(DomainError, match=message):
            exports.record_export(
                organization=net.felipe.profile.organization,
                by=net.felipe,
                year=year,
                hs_code=code,
                country="DE",
                value_band=band,
            )
    assert ExportRecord.objects.filter(organization=net.felipe.profile.organization).count() == 1
