"""Full-text search columns on PostgreSQL: Spanish, Portuguese and English stems, indexed.

Generated columns keep themselves up to date; other databases use a simpler match instead.
"""

from django.db import migrations

CONFIGS = ("spanish", "portuguese", "english")


def _vector(column: str) -> str:
    return " || ".join(f"to_tsvector('{c}', coalesce({column}, ''))" for c in CONFIGS)


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in (("forums_post", "body"), ("forums_topic", "title")):
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search tsvector "
            f"GENERATED ALWAYS AS ({_vector(column)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_search ON {table} USING gin (search)")


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("forums_post", "forums_topic"):
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search")


class Migration(migrations.Migration):
    dependencies = [("forums", "0001_initial")]

    operations = [migrations.RunPython(add_search, drop_search)]
