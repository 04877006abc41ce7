"""Background work of the evidence app: checking and writing imported files, estimating."""

from django.utils import translation
from django_tasks import task

from evidence import imports


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
    # Here, not at the top: pages enqueue this module's tasks, and only the worker that
    # runs an estimate should load the numerical libraries (evidence.computation).
    from evidence import computation

    computation.run(evaluation_id)
