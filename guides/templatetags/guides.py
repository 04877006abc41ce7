"""Labels for the codes guides are filed under: markets, topics, languages, HS codes."""

from django import template

from core import hs
from guides import catalogue
from guides.catalogue import GuideTopic

register = template.Library()


@register.filter
def market_name(code: str) -> str:
    return catalogue.market_name(code)


@register.filter
def topic_name(code: str) -> str:
    try:
        return str(GuideTopic(code).label)
    except ValueError:
        return code


@register.filter
def language_label(code: str) -> str:
    return str(dict(catalogue.LANGUAGES).get(code, code))


@register.filter
def hs_label(code: str) -> str:
    return hs.label(code)
