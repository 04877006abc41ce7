"""The estimator finds an effect planted in a panel where mentored firms were chosen, not drawn.

Seeds and sizes are kept small enough for the suite (well under a minute); bench/ runs the
same checks on larger panels.
"""

import numpy as np
import pytest

from evidence.estimate import CannotEstimate, estimate, naive_difference
from tests.evidence.synthetic import synthetic_panel

# The estimator on synthetic panels: the same whatever the database, so run once.
pytestmark = pytest.mark.pure

EFFECT = 0.25
SEEDS = range(80)


@pytest.fixture(scope="module")
def repeated():
    return [
        estimate(
            synthetic_panel(seed, effect=EFFECT), outcome="ihs_fob", n_bootstrap=199, seed=seed
        )
        for seed in SEEDS
    ]


def test_mean_estimate_is_within_a_hundredth_of_the_truth(repeated):
    errors = [result.overall.estimate - EFFECT for result in repeated]
    assert abs(np.mean(errors)) < 0.01


def test_95_percent_intervals_cover_the_truth_90_to_99_percent_of_the_time(repeated):
    covered = [r.overall.ci_low <= EFFECT <= r.overall.ci_high for r in repeated]
    assert 0.90 <= np.mean(covered) <= 0.99


def test_the_naive_comparison_misses_by_far(repeated):
    assert min(result.naive for result in repeated) > EFFECT + 0.4


def test_dropping_the_sector_covariate_trips_the_pre_trend_test():
    panel = synthetic_panel(7, firms=400, sector_trend=0.3, effect=EFFECT)
    with_sector = estimate(panel, outcome="ihs_fob", seed=7)
    without = estimate(panel, outcome="ihs_fob", covariates=("region", "size"), seed=7)
    assert with_sector.pre_trend_p > 0.05
    assert without.pre_trend_p < 0.01


def test_event_study_shows_no_effect_before_the_start_and_the_effect_after():
    result = estimate(synthetic_panel(3, firms=600, effect=EFFECT), outcome="ihs_fob", seed=3)
    by_time = {effect.label: effect for effect in result.event_study}
    assert set(by_time) <= set(range(-4, 5)) and -1 not in by_time
    assert all(abs(by_time[e].estimate) < 0.1 for e in (-4, -3, -2) if e in by_time)
    assert all(abs(by_time[e].estimate - EFFECT) < 0.1 for e in (0, 1, 2))
    assert {cohort.label for cohort in result.cohorts} == {2018, 2019, 2020}


def test_a_small_sample_is_inconclusive_and_says_what_it_could_detect():
    result = estimate(synthetic_panel(1, firms=60, noise=2.0), outcome="ihs_fob", seed=1)
    assert result.inconclusive and result.mde > 0.5


def test_too_few_mentored_firms_cannot_be_estimated():
    panel = synthetic_panel(2, firms=40)
    keep = set(panel.loc[panel.first_treat > 0, "firm"].unique()[:3])
    panel = panel[(panel.first_treat == 0) | panel.firm.isin(keep)]
    with pytest.raises(CannotEstimate):
        estimate(panel, outcome="ihs_fob")


def test_naive_difference_compares_mentored_years_with_others():
    panel = synthetic_panel(0)
    assert naive_difference(panel, "ihs_fob") > 0


def test_a_second_implementation_agrees(repeated):
    """csdid (a port of the R did package) on the same panel, without bootstrap."""
    att_gt = pytest.importorskip("csdid.att_gt")
    panel = synthetic_panel(11, effect=EFFECT)
    panel["mining"] = (panel.sector == "mining").astype(float)
    panel["textiles"] = (panel.sector == "textiles").astype(float)
    ours = estimate(panel, outcome="ihs_fob", covariates=("sector",), n_bootstrap=0, seed=0)
    theirs = att_gt.ATTgt(
        yname="ihs_fob",
        gname="first_treat",
        idname="firm",
        tname="year",
        xformla="ihs_fob ~ mining + textiles",
        data=panel,
        control_group="nevertreated",
    ).fit(est_method="dr", bstrap=False)
    theirs.aggte(typec="simple")
    assert abs(theirs.atte["overall_att"] - ours.overall.estimate) < 1e-3
