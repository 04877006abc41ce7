"""Row counts of every project table, and examples that leave nothing behind."""

from contextlib import contextmanager

from django.apps import apps
from django.db import connection, transaction

APPS = ("network", "forums", "mentoring", "guides", "incentives", "taggit", "account")


def row_counts() -> tuple[int, ...]:
    """Every table of the project's apps, counted in one query."""
    tables = sorted(
        model._meta.db_table
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    )
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


@contextmanager
def rolled_back():
    """One example's changes, undone afterwards so the next starts from the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
