"""Keyset pagination: the next page starts after the last row seen, never at an offset."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet


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
    if not all(isinstance(v, str | int | float | bool) for v in values):
        return None
    return values


def keyset_page(
    queryset: QuerySet, *, ordering: tuple[str, ...], after: str | None, per_page: int
) -> KeysetPage:
    """Rows ordered by `ordering` ("-field" descending; the last field unique), after a cursor.

    A cursor that cannot be read, or holds values of the wrong kind, starts from the first
    page rather than failing.
    """
    queryset = queryset.order_by(*ordering)
    values = _decode(after, len(ordering)) if after else None
    rows = None
    if values is not None:
        try:
            rows = list(queryset.filter(_after(ordering, values))[: per_page + 1])
        except (ValueError, TypeError, ValidationError):
            values = None
    if rows is None:
        rows = list(queryset[: per_page + 1])
    items = rows[:per_page]
    next_cursor = None
    if len(rows) > per_page:
        last = items[-1]
        next_cursor = _encode([getattr(last, field.lstrip("-")) for field in ordering])
    return KeysetPage(items=items, next_cursor=next_cursor, is_first=values is None)


def _after(ordering: tuple[str, ...], values: list) -> Q:
    """(a, b) > (va, vb)  ==  a > va  OR  (a = va AND b > vb), extended to n fields."""
    names = [field.lstrip("-") for field in ordering]
    condition = Q()
    for i, field in enumerate(ordering):
        beyond = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{names[i]}__{beyond}": values[i]})
        for prior, value in zip(names[:i], values[:i], strict=True):
            step &= Q(**{prior: value})
        condition |= step
    return condition
