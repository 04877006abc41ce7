"""Keyset pagination: the next page starts after the last row seen, never at an offset."""

import base64
import json
import math
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import F, Lookup, QuerySet

# Django's own row comparison, as composite primary keys use it; not yet a documented API.
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None
    is_first: bool


def _encode(values: list) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    if not all(_storable(value) for value in values):
        return None
    return values


def _storable(value) -> bool:
    # JSON also spells NaN, Infinity and integers no database column holds.
    if isinstance(value, bool | str):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, float) and math.isfinite(value)


def keyset_page(
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...],
    after: str | None,
    per_page: int,
    start: tuple | None = None,
) -> KeysetPage:
    """Rows ordered by `ordering` (all "field" or all "-field"; the last one unique), after a
    cursor.

    A cursor that cannot be read, or holds values of the wrong kind, starts from the first
    page rather than failing. `start`, values before any row, bounds the first page the way
    a cursor bounds the others, so PostgreSQL reads it from the same index.
    """
    if len({field.startswith("-") for field in ordering}) != 1:
        raise ValueError("A keyset ordering runs one way: all ascending or all descending.")
    queryset = queryset.order_by(*ordering)
    values = _decode(after, len(ordering)) if after else None
    rows = None
    if values is not None:
        try:
            rows = list(queryset.filter(_after(ordering, values))[: per_page + 1])
        except (ValueError, TypeError, ValidationError):
            values = None
    if rows is None:
        first = queryset.filter(_after(ordering, start)) if start else queryset
        rows = list(first[: per_page + 1])
    items = rows[:per_page]
    next_cursor = None
    if len(rows) > per_page:
        last = items[-1]
        next_cursor = _encode([getattr(last, field.lstrip("-")) for field in ordering])
    return KeysetPage(items=items, next_cursor=next_cursor, is_first=values is None)


def _after(ordering: tuple[str, ...], values: list) -> Lookup:
    """Rows beyond the cursor: (a, b) > (va, vb), or < where the ordering descends.

    A row comparison, so PostgreSQL starts its index scan at the cursor (Django spells it out
    as ORs on SQLite).
    """
    beyond = TupleLessThan if ordering[0].startswith("-") else TupleGreaterThan
    return beyond(Tuple(*(F(field.lstrip("-")) for field in ordering)), list(values))
