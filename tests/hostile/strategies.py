"""Hypothesis strategies for what a hostile member types into a form, chosen by field type.

Every value is a string or a list of strings, as a browser would post it; each strategy
mixes valid values (so the form gets past its first checks and reaches the services) with
the edges that break code: huge and negative numbers, impossible dates, unknown codes,
control characters, right-to-left marks, markup, and text just past a field's limit.
"""

import json
from pathlib import Path

from django import forms
from hypothesis import strategies as st

CORPUS = [
    item["input"]
    for item in json.loads((Path(__file__).parent / "corpus.json").read_text(encoding="utf-8"))
]
AWKWARD_TEXT = [
    "",
    " ",
    "\t\n",
    "\x00",
    "a\x00b",
    "\u202e\u200b\ufeff",
    "🇨🇴☕" * 3,
    "Ñandú São Paulo Zürich",
    "'; DROP TABLE network_user; --",
    "%s %(x)s {0} {{x}}",
    "../../etc/passwd",
    "\\",
    "NaN",
    "-1",
    "1e400",
]


def text(max_length: int | None) -> st.SearchStrategy[str]:
    limit = max_length or 300
    plain = st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=60
    )
    return st.one_of(
        plain,
        st.sampled_from(AWKWARD_TEXT),
        st.sampled_from(CORPUS).map(lambda s: s[:limit]),
        st.integers(min_value=limit - 1, max_value=limit + 2).map(lambda n: "x" * n),
    )


def integer() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(min_value=-5, max_value=3000).map(str),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(["", " 7 ", "1e9", "0x10", "١٢", "NaN", "9" * 40, "-0", "1.5"]),
    )


def decimal() -> st.SearchStrategy[str]:
    return st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(
            ["", "0", "0.001", "-10", "1e9999", "Infinity", "NaN", "9" * 30, "1,5", "10.00"]
        ),
    )


def date() -> st.SearchStrategy[str]:
    return st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.sampled_from(
            ["", "2024-02-30", "0000-01-01", "9999-12-31", "2026-13-01", "31/12/2026", "today"]
        ),
    )


def wall_clock() -> st.SearchStrategy[str]:
    return st.one_of(
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        st.sampled_from(["", "2026-03-08T02:30", "2026-11-01T01:30", "9999-12-31T23:59", "x"]),
    )


def hs_codes() -> st.SearchStrategy[str]:
    """A single code or a list of them, as typed into a products box."""
    one = st.one_of(
        st.sampled_from(["09", "0901", "0803", "8471", "99", "0000", "090111", "9", "ab"]),
        st.from_regex(r"\A[0-9]{1,8}\Z"),
    )
    return st.one_of(
        one,
        st.lists(one, max_size=15).map(", ".join),
        st.lists(one, max_size=4).map(" ".join),
        st.sampled_from(["", ",,,", "09;0901", "0901\x00", "-0901"]),
    )


def country() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["CO", "BR", "DE", "US", "UY", "co", "XX", "EU", "", "ZZZ", "C\x00"]),
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    )


def time_zone() -> st.SearchStrategy[str]:
    return st.sampled_from(
        ["UTC", "America/Bogota", "America/Sao_Paulo", "Mars/Olympus", "", "../../etc/UTC", "+05"]
    )


def url() -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            "",
            "https://meet.example.org/x",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "example.org",
            "https://\u0435xample.com",
            "http://[::1",
            "https://" + "a" * 300 + ".org",
        ]
    )


def _choices(field: forms.ChoiceField) -> list[str]:
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an optgroup
            values += [str(inner) for inner, _label in label]
        else:
            values.append(str(value))
    return values


def for_field(name: str, field: forms.Field) -> st.SearchStrategy:
    """A value for `field`, as posted; list values for multiple choices."""
    if name in {"products", "exported_codes", "planned_codes", "hs_code", "product"}:
        return hs_codes()
    if name in {"country", "market"}:
        return st.one_of(st.sampled_from(_choices(field) or ["CO"]), country())
    if name == "time_zone":
        return st.one_of(st.sampled_from(_choices(field)[:20]), time_zone())
    if isinstance(field, forms.ModelMultipleChoiceField | forms.ModelChoiceField):
        # Forms that narrow the choices per person set the queryset in __init__.
        rows = field.queryset.values_list("pk", flat=True)[:10] if field.queryset else []
        ids = [str(pk) for pk in rows] or [str(pk) for pk in range(1, 6)]
        one = st.one_of(st.sampled_from(ids or ["1"]), integer())
        if isinstance(field, forms.ModelMultipleChoiceField):
            return st.lists(one, max_size=4)
        return one
    if isinstance(field, forms.MultipleChoiceField):
        choices = _choices(field)[:50]
        return st.lists(st.one_of(st.sampled_from(choices), country()), max_size=12)
    if isinstance(field, forms.ChoiceField):
        return st.one_of(st.sampled_from(_choices(field) or [""]), st.sampled_from(["", "x"]))
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "0"])
    if isinstance(field, forms.DecimalField):
        return decimal()
    if isinstance(field, forms.IntegerField):
        return integer()
    if isinstance(field, forms.DateField):
        return date()
    if isinstance(field, forms.URLField):
        return url()
    if isinstance(field, forms.EmailField):
        return st.one_of(
            st.emails().map(str),
            st.sampled_from(["", "a@b", "x@example.org\r\nBcc: y@example.org", "@", "a" * 300]),
        )
    if name == "local_start":
        return wall_clock()
    if isinstance(field, forms.CharField):
        return text(field.max_length)
    return text(None)


def posted(form_class) -> st.SearchStrategy[dict]:
    """A whole form's worth of posted values (an empty string stands for a field left out)."""
    fields = form_class.base_fields
    return st.fixed_dictionaries({name: for_field(name, field) for name, field in fields.items()})
