"""Forms of the incentive pages: they parse and validate; services decide."""

import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.converters import MAX_ID
from core.forms import PeriodForm  # noqa: F401  (the overview and reports pages take it from here)
from incentives.models import MONEY, ContributionKind, Programme, Referral, Rule


def _money(label, **kwargs):
    return forms.DecimalField(label=label, min_value=0.01, **MONEY, **kwargs)


class _IdChoices(forms.ModelMultipleChoiceField):
    """Checks each posted id is one before asking the database: SQLite cannot even compare
    with an integer past 64 bits, and would raise instead of finding nothing."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not text.isdigit() or int(text) > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    clusters = _IdChoices(
        label=_("Clusters"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Clusters your agency sponsors."),
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Programme.Kind.choices,
        initial=Programme.Kind.MENTORING,
        required=False,
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Programme.Unit.choices)
    budget = _money(_("Budget"))
    cap_per_member_month = _money(_("Cap per member per month"), required=False)
    cap_per_pair_month = _money(_("Cap per mentor and follower pair per month"), required=False)

    share_figures = forms.BooleanField(
        label=_("Share figures with co-sponsors"),
        required=False,
        help_text=_(
            "Other agencies sponsoring the same clusters always see the programme's name, "
            "kind, dates and activities; its budget and credits only if you tick this."
        ),
    )

    def __init__(self, *args, clusters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clusters"].queryset = clusters

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Programme.Kind.MENTORING

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The programme must end after it starts."))
        return data


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Contribution"), choices=ContributionKind.choices)
    amount = _money(_("Amount"))
    confirmer = forms.ChoiceField(label=_("Confirmed by"), choices=Rule.Confirmer.choices)
    min_attendees = forms.IntegerField(
        label=_("Confirmed attendees at least"), min_value=0, max_value=1000, initial=0
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class SharingForm(forms.Form):
    share = forms.BooleanField(label=_("Share figures with co-sponsors"), required=False)


class BudgetForm(forms.Form):
    amount = _money(_("Add to the budget"))


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", label=_("Month (YYYY-MM)"))

    def clean_month(self) -> datetime.date:
        year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
        # The same years as statements; beyond them dates would not even compute.
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Give a month between 2000 and 2100."))
        return datetime.date(year, month, 1)


class PayForm(MonthForm):
    member = forms.IntegerField(widget=forms.HiddenInput)
    reference = forms.CharField(label=_("Payment reference"), max_length=120)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What the key is for"), max_length=100)


class _IdChoice(forms.ModelChoiceField):
    """One id, checked to be one before the database is asked (see _IdChoices)."""

    def to_python(self, value):
        if value not in self.empty_values and (
            not str(value).isdigit() or int(str(value)) > MAX_ID
        ):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class _ProgrammeChoice(_IdChoice):
    """Another agency's programme as the referring officer reads it: never its money."""

    def label_from_instance(self, programme) -> str:
        return _("%(programme)s — %(agency)s (%(kind)s, %(start)s to %(end)s)") % {
            "programme": programme.name,
            "agency": programme.agency.name,
            "kind": programme.get_kind_display(),
            "start": date_format(programme.starts_on, "SHORT_DATE_FORMAT"),
            "end": date_format(programme.ends_on, "SHORT_DATE_FORMAT"),
        }


class ReferralForm(forms.Form):
    firm = _IdChoice(label=_("Firm"), queryset=None, empty_label=None)
    programme = _ProgrammeChoice(
        label=_("Programme of another agency"), queryset=None, empty_label=None
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why this firm, and why now. The other agency and the firm read it."),
    )

    def __init__(self, *args, firms, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = firms
        self.fields["programme"].queryset = programmes


class ReferralFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Any state")), *Referral.State.choices],
        required=False,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the referring agency and the firm read it)"),
        max_length=300,
        required=False,
    )
