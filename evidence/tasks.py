"""Background work of the evidence app: checking uploaded files and writing confirmed ones."""

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
