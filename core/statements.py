"""Names for the few fixed SQL statements of the hottest paths, taken from the models and
quoted for the database in use, so a renamed field or table cannot leave them behind."""

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)
