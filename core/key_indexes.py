"""A migration step that drops the index of its own a foreign key was given, and nothing else.

Django's AlterField, even for `db_index` alone, drops the key's constraint and adds it back,
which checks every row while the table and the one it points to are locked: minutes of
stalled pages on a ledger of millions of entries. This drops only the index, concurrently on
PostgreSQL (the migration must be `atomic = False`), and builds it again on the way back.
"""

from django.db import migrations
from django.db.models import Index


def _indexes(schema_editor, model, field) -> list[str]:
    # The index `db_index=True` made: btree, on the column alone, not unique (a partial
    # unique constraint on the key is an index too), and not one the model's Meta names.
    named = {index.name for index in model._meta.indexes}
    named |= {constraint.name for constraint in model._meta.constraints}
    return schema_editor._constraint_names(
        model, [field.column], index=True, unique=False, type_=Index.suffix, exclude=named
    )


def dropped(app_label: str, fields: list[tuple[str, str]]) -> migrations.RunPython:
    """The operation dropping the own index of each (model, field) of `app_label`."""

    def drop(apps, schema_editor):
        concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
        for model_name, field_name in fields:
            model = apps.get_model(app_label, model_name)
            for name in _indexes(schema_editor, model, model._meta.get_field(field_name)):
                schema_editor.execute(f"DROP INDEX {concurrently}{schema_editor.quote_name(name)}")

    def restore(apps, schema_editor):
        options = {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
        for model_name, field_name in fields:
            model = apps.get_model(app_label, model_name)
            field = model._meta.get_field(field_name)
            if not _indexes(schema_editor, model, field):
                schema_editor.execute(
                    schema_editor._create_index_sql(model, fields=[field], **options)
                )

    return migrations.RunPython(drop, restore, elidable=False)
