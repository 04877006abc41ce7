"""Names for the few fixed SQL statements of the hottest paths, taken from the models and
quoted for the database in use, so a renamed field or table cannot leave them behind; and the
lists of values those statements take.

A list is one array parameter on PostgreSQL, so a statement reads the same for any number of
values. Written out as a placeholder a value, a statement of more than 50 parameters is
parsed afresh by psycopg on every run (it caches only smaller ones), 7 µs a value: a crowd of
handshakes read together spent more on that than on reading (docs/performance.md).
"""

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _as_array() -> bool:
    return connection.vendor == "postgresql"


def one_of(model: type[models.Model], field: str, values: list) -> tuple[str, list]:
    """The condition that the model's `field` is one of `values` (at least one), and its
    parameters."""
    if _as_array():
        sql_type = model._meta.get_field(field).rel_db_type(connection)
        return f"{column(model, field)} = ANY(CAST(%s AS {sql_type}[]))", [list(values)]
    placeholders = ", ".join(["%s"] * len(values))
    return f"{column(model, field)} IN ({placeholders})", list(values)


def integer_pairs(pairs: list[tuple[int, int]], name: str) -> tuple[str, list]:
    """A table `name` of the pairs (at least one) as rows, its columns named column1 and
    column2 (as both databases name a VALUES list's), and its parameters."""
    if _as_array():
        firsts, seconds = zip(*pairs, strict=True)
        rows = f"unnest(CAST(%s AS BIGINT[]), CAST(%s AS BIGINT[])) AS {name} (column1, column2)"
        return rows, [list(firsts), list(seconds)]
    rows = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS BIGINT))"] * len(pairs))
    return f"(VALUES {rows}) AS {name}", [value for pair in pairs for value in pair]
