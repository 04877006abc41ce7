"""Background work of the evidence app: checking and writing imported files, estimating."""

from django.utils import translation
from django_tasks import task

from evidence import evaluations, imports


@task()
def check_batch(*, batch_id: int) -> None:
    with translation.override(None):
        imports.check(batch_id)


@task()
def write_batch(*, batch_id: int) -> None:
    with translation.override(None):
        imports.write(batch_id)


@task()
def run_evaluation(*, evaluation_id: int) -> None:
    evaluations.run(evaluation_id)
