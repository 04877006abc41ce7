"""Names for the codes customs records are stored as: countries and tariff lines."""

from django import template
from django_countries import countries

from core import hs

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return str(countries.name(code)) or code


@register.filter
def tariff_name(code: str) -> str:
    """The HS heading's name (its chapter's where the heading is unknown), or nothing."""
    for part in (code[:4], code[:2]):
        if hs.exists(part):
            return hs.name(part)
    return ""


@register.filter
def hs_label(code: str) -> str:
    return hs.label(code) if hs.exists(code) else code
