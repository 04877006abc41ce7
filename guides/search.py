"""Guides on the forum search page: the same box finds guides and posts."""

from core import search_sections
from guides import forms, selectors


def _results(*, viewer, q: str, form: forms.FilterForm) -> list:
    return selectors.search(viewer=viewer, q=q, filters=form.filters(), limit=10)


search_sections.register(
    search_sections.Section(
        name="guides",
        form=forms.FilterForm,
        results=_results,
        filters_template="guides/_search_filters.html",
        results_template="guides/_search_results.html",
    )
)
