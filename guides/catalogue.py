"""The fixed lists a guide is filed under: topics, trade blocs, markets (countries or blocs)."""

from functools import cache

from django.db import models
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries import countries

LANGUAGES = [("es", _("Spanish")), ("pt", _("Portuguese")), ("en", _("English"))]


class GuideTopic(models.TextChoices):
    STANDARDS = "standards", _("Standards and certification")
    ORIGIN = "origin", _("Rules of origin")
    LOGISTICS = "logistics", _("Logistics")
    CUSTOMS = "customs", _("Customs")
    FINANCE = "finance", _("Export finance")
    BUYERS = "buyers", _("Buyer search")
    ECOMMERCE = "ecommerce", _("E-commerce")


# Codes are upper case and never two letters, so they cannot collide with a country's.
BLOCS: dict[str, tuple] = {
    "EU27": (
        _("European Union"),
        "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE",
    ),
    "EFTA": (_("European Free Trade Association"), "IS LI NO CH"),
    "MERCOSUR": (_("Mercosur"), "AR BR PY UY"),
    "CAN": (_("Andean Community"), "BO CO EC PE"),
    "PACIFIC": (_("Pacific Alliance"), "CL CO MX PE"),
    "CARICOM": (
        _("Caribbean Community"),
        "AG BS BB BZ DM GD GY HT JM MS KN LC VC SR TT",
    ),
    "SICA": (_("Central American Integration System"), "BZ CR SV GT HN NI PA DO"),
    "USMCA": (_("United States, Mexico and Canada (USMCA)"), "US MX CA"),
    "CPTPP": (
        _("Trans-Pacific Partnership (CPTPP)"),
        "AU BN CA CL JP MY MX NZ PE SG VN GB",
    ),
}


def bloc_members(code: str) -> list[str]:
    return BLOCS[code][1].split() if code in BLOCS else []


def is_market(code: str) -> bool:
    return code in BLOCS or code in dict(countries)


def market_name(code: str) -> str:
    if code in BLOCS:
        return str(BLOCS[code][0])
    return str(dict(countries).get(code, code))


def market_choices() -> list[tuple[str, str]]:
    """Trade blocs first, then countries, named in the active language."""
    blocs = [(code, str(name)) for code, (name, _members) in BLOCS.items()]
    return [(_("Trade blocs"), blocs), (_("Countries"), list(countries))]


def markets_covering(code: str) -> list[str]:
    """A market and the blocs it belongs to: a guide for the EU also serves Germany."""
    return [code, *(bloc for bloc in BLOCS if code in bloc_members(bloc))]


@cache
def _names_in_all_languages() -> dict[str, tuple[str, str]]:
    """slug of a topic's or country's name in es, pt or en -> ("topic"|"market", code)."""
    found: dict[str, tuple[str, str]] = {}
    for language in ("es", "pt-br", "en"):
        with translation.override(language):
            for value, label in GuideTopic.choices:
                found[slugify(str(label))] = ("topic", value)
            for code, name in countries:
                found[slugify(name)] = ("market", code)
    return found


def read_tags(slugs: list[str]) -> dict[str, list[str]]:
    """What forum tags say in guide terms: "rules-of-origin", "alemania", "0901", "eu27"."""
    from core import hs

    wanted: dict[str, list[str]] = {"topics": [], "markets": [], "products": []}
    names = _names_in_all_languages()
    for slug in slugs:
        if slug.isdigit() and hs.exists(slug):
            wanted["products"].append(slug)
        elif slug.upper() in BLOCS or (len(slug) == 2 and slug.upper() in dict(countries)):
            wanted["markets"].append(slug.upper())
        elif slug in names:
            kind, code = names[slug]
            wanted["topics" if kind == "topic" else "markets"].append(code)
    return wanted


# Short words common in one of the three languages and rare in the other two.
_TELLTALES = {
    "es": "el la los las del con una es y al lo pero más sus está qué cómo también hay",
    "pt": "o os do da dos das não em um uma com é e ao mais mas você também são há",
    "en": "the and of to is that for it with on are this we you be in our",
}
_TELLTALE_WORDS = {code: frozenset(words.split()) for code, words in _TELLTALES.items()}


def guess_language(text: str, default: str) -> str:
    """The language of a few sentences, from their commonest short words; `default` if unsure.

    Enough to file a guide started from a forum answer under the language it is written in
    rather than the language of the page of whoever started it.
    """
    words = [word.strip(".,;:!?¿¡()*_>\"'").lower() for word in text.split()]
    scores = {code: sum(word in told for word in words) for code, told in _TELLTALE_WORDS.items()}
    best = max(scores, key=scores.get)
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] >= 2 and ranked[0] > ranked[1]:
        return best
    return default
