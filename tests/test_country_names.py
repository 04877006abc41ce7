"""Every country field lists the countries named and sorted in the language of the page: a
field given django-countries' list itself froze it at start-up, in English."""

import html
import re

import pytest
from django.conf import settings
from django.utils import translation
from django_countries import countries

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
    written = str(form_class()[field])
    found = re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]*)</option>', written)
    return [(code, html.unescape(name)) for code, name in found]


@pytest.mark.parametrize("form_class, field", FIELDS)
@pytest.mark.parametrize(
    "language, germany, brazil",
    [("es", "Alemania", "Brasil"), ("pt-br", "Alemanha", "Brasil"), ("en", "Germany", "Brazil")],
)
def test_countries_are_named_and_sorted_in_the_language_of_the_page(
    form_class, field, language, germany, brazil
):
    with translation.override(language):
        options = _options(form_class, field)
        in_order = [(str(code), str(name)) for code, name in countries]
    names = dict(options)
    assert names["DE"] == germany and names["BR"] == brazil
    # The region's countries first (COUNTRIES_FIRST), then all in the language's own order:
    # in Spanish, Åland (Islas Åland) comes among the I's, not after Afghanistan.
    first = len(settings.COUNTRIES_FIRST)
    assert [code for code, _name in options[:first]] == settings.COUNTRIES_FIRST
    assert options[first:] == in_order[first:]
    assert len(options) == len(names) > 240


def test_a_market_is_accepted_by_its_code_in_any_language():
    with translation.override("es"):
        chosen = OfferForm({"capacity": 2, "markets": ["DE", "BR"]})
        unknown = OfferForm({"capacity": 2, "markets": ["ZZ"]})
        assert chosen.is_valid(), chosen.errors
        assert chosen.cleaned_data["markets"] == ["DE", "BR"]
        assert not unknown.is_valid() and "markets" in unknown.errors
