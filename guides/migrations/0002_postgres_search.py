"""Full-text search of published versions on PostgreSQL: the forums' three stemmers, indexed.

Title weighs most, then the summary, then the text. Other databases use a simpler match.
"""

from django.db import migrations

CONFIGS = ("spanish", "portuguese", "english")
WEIGHTS = (("title", "A"), ("summary", "B"), ("body", "C"))


def _vector() -> str:
    return " || ".join(
        f"setweight(to_tsvector('{config}', coalesce({column}, '')), '{weight}')"
        for config in CONFIGS
        for column, weight in WEIGHTS
    )


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE guides_guideversion ADD COLUMN search tsvector "
        f"GENERATED ALWAYS AS ({_vector()}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX guides_guideversion_search ON guides_guideversion USING gin (search)"
    )


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE guides_guideversion DROP COLUMN search")


class Migration(migrations.Migration):
    dependencies = [("guides", "0001_initial")]

    operations = [migrations.RunPython(add_search, drop_search)]
