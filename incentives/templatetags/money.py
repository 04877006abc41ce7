"""Amounts written the way the reader's language writes them: 5.000,00 in Spanish and
Portuguese, 5,000.00 in English; grouping is forced here only, so years stay 2026."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(value: Decimal | int | str | None) -> str:
    if value in (None, ""):
        return ""
    return number_format(Decimal(value), decimal_pos=2, force_grouping=True)
