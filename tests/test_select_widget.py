"""The project's select template writes its options with one tag instead of including Django's
option template for each: the same page, without an include for each of 250 countries."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from mentoring.forms import OfferForm


def _lines(html: str) -> list[str]:
    return [line for line in html.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "widget, value",
    [
        (forms.Select(choices=[("", "—"), ("a", "A & B"), ("b", "<b>")]), "a"),
        (forms.SelectMultiple(choices=[("x", "X"), ("y", "Y"), ("z", "Z")]), ["x", "z"]),
        (forms.Select(choices=[("Fruit", [("1", "Apple"), ("2", "Pear")]), ("3", "Other")]), "2"),
        (forms.Select(choices=[(1, "One"), (2, "Two")], attrs={"id": "n", "required": True}), 2),
        # Labels that are not text are localized as any value a template writes.
        (forms.Select(choices=[(Decimal("1.5"), Decimal("1.5")), (2, 1000)]), Decimal("1.5")),
        (
            forms.Select(
                choices=[("d", datetime.date(2027, 3, 18)), ("x", mark_safe("<i>x</i>"))]
            ),
            "x",
        ),
        # A value marked safe is written as it is, any other escaped, as Django's own do.
        (forms.Select(choices=[(mark_safe("a&amp;b"), "A"), ("<c>", "C")]), "<c>"),
        # Group labels: escaped, translated when lazy, localized when numbers.
        (
            forms.SelectMultiple(
                choices=[
                    ('<G & "H">', [("1", "One")]),
                    (gettext_lazy("Markets"), [("2", "Two")]),
                    (1000, [("3", "Three")]),
                ]
            ),
            ["1", "3"],
        ),
        (forms.NullBooleanSelect(), True),
    ],
)
def test_a_select_is_what_djangos_own_templates_write(widget, value):
    with translation.override("es"):
        ours = widget.render("field", value)
        djangos = widget.render("field", value, renderer=DjangoTemplates())
    assert _lines(ours) == _lines(djangos)


def test_the_markets_a_mentor_chose_are_selected_and_every_country_listed_once():
    html = str(OfferForm(initial={"markets": ["DE", "US"]})["markets"])
    values = re.findall(r'<option value="([A-Z]{2})"', html)
    assert len(values) == len(set(values)) > 240
    assert re.findall(r'<option value="([A-Z]{2})" selected>', html) == sorted(
        ["DE", "US"], key=values.index
    )
