"""Every country field lists the countries named and sorted in the language of the page: a
field given django-countries' list itself froze it at start-up, in English."""

import re

import pytest
from django.utils import translation

from mentoring.forms import ExportRecordForm, GoalForm, NeedsForm, OfferForm
from network.forms import ClusterForm, ClusterSearchForm, DirectoryFilterForm, OrganizationForm

FIELDS = [
    (OfferForm, "markets"),
    (NeedsForm, "markets"),
    (ExportRecordForm, "country"),
    (GoalForm, "market"),
    (ClusterForm, "country"),
    (OrganizationForm, "country"),
    (OrganizationForm, "markets"),
    (DirectoryFilterForm, "country"),
    (DirectoryFilterForm, "market"),
    (ClusterSearchForm, "country"),
]


def _options(form_class, field: str) -> list[tuple[str, str]]:
    html = str(form_class()[field])
    return re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]*)</option>', html)


@pytest.mark.parametrize("form_class, field", FIELDS)
@pytest.mark.parametrize(
    "language, germany, first_after_latin_america",
    [
        ("es", "Alemania", "Afganistán"),
        ("pt-br", "Alemanha", "Afeganistão"),
        ("en", "Germany", "Afghanistan"),
    ],
)
def test_countries_are_named_and_sorted_in_the_language_of_the_page(
    form_class, field, language, germany, first_after_latin_america
):
    with translation.override(language):
        options = _options(form_class, field)
    names = dict(options)
    assert names["DE"] == germany
    assert names["BR"] == {"en": "Brazil"}.get(language, "Brasil")
    # The region's countries come first (COUNTRIES_FIRST), then all in the language's order.
    assert options[8][1] == first_after_latin_america
    assert len(options) == len(names) > 240
