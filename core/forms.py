"""Forms more than one app asks for."""

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries


def country_choices() -> list[tuple[str, str]]:
    """Country names in the language of the page, sorted in it. A field given `countries`
    itself lists them once, at start-up, in English and in English order on every page."""
    return list(countries)


def country_choices_or(blank: str) -> Callable[[], list[tuple[str, str]]]:
    """The same after a first choice of no country, labelled `blank`."""
    return lambda: [("", blank), *country_choices()]


class PeriodForm(forms.Form):
    """A period between two dates, both included: at most ten years.

    A date picker reads and writes ISO dates, whatever the language.
    """

    start = forms.DateField(
        label=_("From"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first date must come before the second."))
        if start and end and (end - start).days > 3660:
            raise forms.ValidationError(_("Choose at most ten years."))
        return data
