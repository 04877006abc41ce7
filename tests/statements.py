"""The statements a block of code sends, as written: placeholders, not the values bound."""

import contextlib

from django.db import connection


@contextlib.contextmanager
def sent_statements():
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent
