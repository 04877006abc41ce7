"""Row counts of every project table, and examples that leave nothing behind."""

from contextlib import contextmanager

from django.apps import apps
from django.db import connection, models, transaction

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


def unstorable_text() -> list[str]:
    """Columns of the project's tables holding text longer than their field allows, or a
    NUL character: what SQLite keeps and PostgreSQL refuses with a 500. One query."""
    checks = []
    quote = connection.ops.quote_name
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.proxy:
                continue
            for field in model._meta.local_fields:
                if not isinstance(field, models.CharField | models.TextField):
                    continue
                column = quote(field.column)
                wrong = [f"INSTR({column}, CHAR(0)) > 0"] if connection.vendor == "sqlite" else []
                if field.max_length:
                    wrong.append(f"LENGTH({column}) > {field.max_length}")
                if wrong:
                    where = " OR ".join(wrong)
                    sql = f"EXISTS(SELECT 1 FROM {quote(model._meta.db_table)} WHERE {where})"
                    checks.append((f"{model._meta.label}.{field.name}", sql))
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(sql for _name, sql in checks))
        found = cursor.fetchone()
    return [name for (name, _sql), bad in zip(checks, found, strict=True) if bad]
