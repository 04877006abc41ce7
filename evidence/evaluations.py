"""Asking for a programme's estimates, once per version of its data; the worker computes them
(evidence.computation), and only it loads the numerical libraries."""

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as _

from core.errors import NotAllowed
from evidence.design import COMPARISONS, DEFAULT_COMPARISON
from evidence.errors import Refusal
from evidence.models import Evaluation, ImportBatch, TaxIdLink
from incentives.selectors import Programme, is_officer
from mentoring.selectors.outcomes import first_pairing_starts
from network.models import User

Status = Evaluation.Status


def check_comparison(comparison: str) -> None:
    if comparison not in COMPARISONS:
        raise Refusal(_("Choose never-supported or not-yet-supported comparison firms."))


def data_version(programme: Programme) -> str:
    """Changes whenever anything the panel is built from changes (evidence.panel.build)."""
    cluster_ids = sorted(programme.clusters.values_list("pk", flat=True))
    batches = sorted(
        ImportBatch.objects.filter(
            agency_id=programme.agency_id, status=ImportBatch.Status.IMPORTED
        ).values_list("pk", flat=True)
    )
    starts = sorted(first_pairing_starts(cluster_ids).items())
    links = TaxIdLink.objects.aggregate(last=Max("pk"))["last"]
    text = repr((cluster_ids, batches, starts, links))
    return hashlib.sha256(text.encode()).hexdigest()


def request_evaluation(
    *, programme: Programme, by: User, comparison: str = DEFAULT_COMPARISON
) -> Evaluation:
    """The evaluation of the programme's data as it stands; queued for the worker if new."""
    if not is_officer(by, programme):
        raise NotAllowed(gettext_lazy("Only the sponsoring agency's officers can do this."))
    check_comparison(comparison)
    version = data_version(programme)
    try:
        with transaction.atomic():
            evaluation, created = Evaluation.objects.get_or_create(
                programme=programme,
                comparison=comparison,
                data_version=version,
                defaults={"requested_by": by},
            )
            if not created and evaluation.status == Status.FAILED:
                evaluation.status, evaluation.problem = Status.QUEUED, []
                evaluation.save(update_fields=["status", "problem"])
                created = True
    except IntegrityError:  # asked twice at once: the other request queued it
        return Evaluation.objects.get(
            programme=programme, comparison=comparison, data_version=version
        )
    if created:
        from evidence.tasks import run_evaluation

        transaction.on_commit(lambda: run_evaluation.enqueue(evaluation_id=evaluation.pk))
    return evaluation


def latest(programme: Programme, comparison: str) -> Evaluation | None:
    return Evaluation.objects.filter(programme=programme, comparison=comparison).first()
