"""A foreign key that leads an index of several columns has no index of its own.

PostgreSQL plans a prepared statement once for all values after a few runs when that plan
looks no costlier (config/settings.py). Made without the values, such a plan took the key's
own index for a topic with 100,000 posts, then filtered and sorted every post to show 20:
64 ms against 0.3 through the (topic, id) index (docs/performance.md). The wider index
serves every lookup the narrower one did, and a write maintains one index fewer.
"""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models


def _our_models() -> list:
    """The project's own models, not Django's or a library's."""
    return [
        model
        for model in apps.get_models()
        if Path(model._meta.app_config.path).parent == settings.BASE_DIR
    ]


def _leading_fields(model) -> set[str]:
    """Fields that come first in one of the model's indexes or unique sets of several
    columns, for every row (a partial index covers only some)."""
    firsts = {
        index.fields[0].lstrip("-")
        for index in model._meta.indexes
        if len(index.fields) > 1 and index.condition is None
    }
    firsts |= {
        constraint.fields[0]
        for constraint in model._meta.constraints
        if len(getattr(constraint, "fields", ())) > 1 and constraint.condition is None
    }
    return firsts | {fields[0] for fields in model._meta.unique_together}


@pytest.mark.pure
def test_no_foreign_key_is_indexed_twice():
    twice = [
        f"{model._meta.label}.{name}"
        for model in _our_models()
        for name in sorted(_leading_fields(model))
        if isinstance(field := model._meta.get_field(name), models.ForeignKey) and field.db_index
    ]
    assert twice == [], f"set db_index=False on {', '.join(twice)}"


@pytest.mark.pure
def test_every_foreign_key_is_still_found_through_an_index():
    # The other way round: dropping the wider index must not leave a key with none.
    bare = [
        f"{model._meta.label}.{field.name}"
        for model in _our_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and not field.db_index
        and field.name not in _leading_fields(model)
    ]
    assert bare == [], f"no index serves {', '.join(bare)}"


@pytest.mark.django_db
def test_the_migrated_database_holds_every_index_and_constraint_the_models_declare():
    # Dropping a key's own index must leave a partial unique constraint on the same column
    # (one draft assessment per firm) in place.
    missing = []
    with connection.cursor() as cursor:
        for model in _our_models():
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            declared = [*model._meta.indexes, *model._meta.constraints]
            missing += [
                f"{model._meta.label}: {item.name}" for item in declared if item.name not in found
            ]
    assert missing == []
