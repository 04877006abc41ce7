"""The shipped catalogues: every message translated, and the compiled files match them."""

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def _entries(po: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, translations, fuzzy) for each entry of a .po file, the header left out.

    An entry with a context has its msgid written as gettext stores it: "context\x04msgid".
    """
    entries, current, field, fuzzy, context = [], None, None, False, None
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgctxt "):
            context = ast.literal_eval(line[8:])
        elif line.startswith("msgid "):
            msgid = ast.literal_eval(line[6:])
            current, field = {"msgid": msgid, "msgstr": [], "context": context}, "msgid"
        elif line.startswith("msgid_plural "):
            field = "plural"
        elif line.startswith("msgstr"):
            current["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
            field = "msgstr"
        elif line.startswith('"') and current is not None:
            value = ast.literal_eval(line)
            if field == "msgid":
                current["msgid"] += value
            elif field == "msgstr":
                current["msgstr"][-1] += value
        elif not line.strip() and current is not None:
            if current["msgid"]:
                msgid = current["msgid"]
                if current["context"] is not None:
                    msgid = f"{current['context']}\x04{msgid}"
                entries.append((msgid, current["msgstr"], fuzzy))
            current, field, fuzzy, context = None, None, False, None
    return entries


@pytest.mark.parametrize("language", ["es", "pt_BR"])
def test_catalogue_is_complete(language):
    entries = _entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 200
    untranslated = [msgid for msgid, strs, _ in entries if not all(strs)]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries if is_fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("language", ["es", "pt_BR"])
def test_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [
        msgid
        for msgid, strs, _ in _entries(folder / "django.po")
        if len(strs) == 1 and catalogue.gettext(msgid) != strs[0]
    ]
    assert stale == [], "run `make messages` to recompile"
