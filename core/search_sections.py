"""Other apps' results on the forum search page, registered here so forums imports none of them.

An app registers a section in its AppConfig.ready(); the search page binds the section's
filter form to the query string and shows its results above the forum's, one section each.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms


@dataclass(frozen=True)
class Section:
    name: str
    form: type[forms.Form]  # its own filters, read from the same query string
    results: Callable[..., list]  # (viewer=..., q=..., form=...) -> a bounded list
    filters_template: str  # shown inside the search form, given `section_form`
    results_template: str  # given `section_form` and `section_results`


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.name] = section


def run(*, viewer, q: str, data) -> list[dict]:
    """Each section's bound form and results for this query, in registration order."""
    found = []
    for section in _SECTIONS.values():
        form = section.form(data or None)
        found.append(
            {
                "section": section,
                "form": form,
                "results": section.results(viewer=viewer, q=q, form=form),
            }
        )
    return found
