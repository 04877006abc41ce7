"""Forms more than one app asks for."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
