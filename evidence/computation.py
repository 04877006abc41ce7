"""Computing an evaluation in the worker: the programme's firm x year panel built and every
outcome estimated. Pandas, SciPy and diff-diff (about 150 MiB of a process) load here alone:
pages, the API and sockets ask for an evaluation and read it (evidence.evaluations)."""

import logging
import math

from django.utils import timezone
from django.utils.translation import gettext_noop as _

from evidence import estimate, panel
from evidence.design import DEFAULT_COMPARISON, OUTCOMES
from evidence.evaluations import check_comparison, data_version
from evidence.models import Evaluation
from incentives.selectors import Programme

logger = logging.getLogger(__name__)
Status = Evaluation.Status
BOOTSTRAP_DRAWS = 499
SEED = 20210101  # fixed: the same data gives the same intervals


def _finite(value):
    """JSON has no NaN: an undefined figure is stored as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def run(evaluation_id: int) -> Evaluation:
    """Build the panel and estimate every outcome; each outcome succeeds or fails alone."""
    evaluation = Evaluation.objects.select_related("programme").get(pk=evaluation_id)
    if evaluation.status not in (Status.QUEUED, Status.RUNNING):
        return evaluation
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Status.RUNNING)
    try:
        frame, coverage = panel.build(evaluation.programme)
        results = {}
        for outcome in OUTCOMES:
            results[outcome] = _one(frame, outcome, evaluation.comparison)
    except Exception:
        logger.exception("Evaluation %s failed", evaluation.pk)
        evaluation.status = Status.FAILED
        evaluation.problem = [_("The estimate could not be computed; try again later."), {}]
        evaluation.finished_at = timezone.now()
        evaluation.save(update_fields=["status", "problem", "finished_at"])
        return evaluation
    evaluation.results, evaluation.coverage = _finite(results), coverage
    evaluation.status, evaluation.finished_at = Status.DONE, timezone.now()
    evaluation.save(update_fields=["results", "coverage", "status", "finished_at"])
    return evaluation


def _one(frame, outcome: str, comparison: str) -> dict:
    if frame.empty:
        return {"error": _("No customs records or no registry yet.")}
    try:
        result = estimate.estimate(
            frame,
            outcome=outcome,
            comparison=comparison,
            n_bootstrap=BOOTSTRAP_DRAWS,
            seed=SEED,
        )
    except estimate.CannotEstimate:
        return {"error": _("Too few supported or comparison firms to estimate.")}
    except (ValueError, ArithmeticError, KeyError, IndexError):
        logger.warning("Outcome %s could not be estimated", outcome, exc_info=True)
        return {"error": _("The data cannot support an estimate of this outcome.")}
    return result.as_dict()


def evaluate_now(*, programme: Programme, comparison: str = DEFAULT_COMPARISON):
    """For batch use outside requests: the stored evaluation of today's data, computed here
    when there is none."""
    check_comparison(comparison)
    evaluation, _created = Evaluation.objects.get_or_create(
        programme=programme, comparison=comparison, data_version=data_version(programme)
    )
    if evaluation.status != Status.DONE:
        Evaluation.objects.filter(pk=evaluation.pk).update(status=Status.QUEUED)
        evaluation = run(evaluation.pk)
    return evaluation
