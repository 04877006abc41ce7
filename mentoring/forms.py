"""Forms of the mentoring pages: they parse and validate; services decide."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import hs
from core.forms import (
    PeriodForm,  # noqa: F401  (the overview and reports pages take it from here)
    country_choices,
    country_choices_or,
)
from mentoring.models import MAX_CAPACITY, ExportRecord, Goal, Session, Stage
from network.models import SPOKEN_LANGUAGES
from readiness import dimensions


def parse_id(value: str) -> int | None:
    """A database id typed by a browser, or None: ASCII digits only, within bigint range."""
    return int(value) if re.fullmatch(r"[0-9]{1,18}", value or "") else None


class IdField(forms.CharField):
    """A database id, or None when empty or not one (an odd id is ignored, never a crash)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> int | None:
        return parse_id(super().to_python(value))


class WallClockField(forms.CharField):
    """A date and time as typed, with no time zone: the service reads it in the chosen zone.

    Django's DateTimeField would read it in the viewer's zone first, and refuse times that
    a daylight-saving change skips there but not in the zone the session is set in.
    """

    FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M")

    def to_python(self, value) -> datetime.datetime | None:
        value = super().to_python(value)
        if not value:
            return None
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(value.strip(), fmt)
            except ValueError:
                continue
        raise forms.ValidationError(_("Enter a date and time, such as 2027-03-18 10:00."))


def _split(value: str) -> list[str]:
    return sorted({item.strip() for item in value.replace(";", ",").split(",") if item.strip()})


def clean_codes(value: str) -> list[str]:
    codes = _split(value)
    unknown = [code for code in codes if not hs.is_code(code)]
    if unknown:
        raise forms.ValidationError(
            _("Unknown HS codes: %(codes)s. Use 4-digit headings or 2-digit chapters."),
            params={"codes": ", ".join(unknown)},
        )
    return codes


def clean_topics(value: str) -> list[str]:
    topics = sorted({topic.lower() for topic in _split(value)})
    if len(topics) > 10:
        raise forms.ValidationError(_("At most 10 topics."))
    if any(len(topic) > 50 for topic in topics):
        raise forms.ValidationError(_("Each topic is at most 50 characters."))
    return topics


TOPICS_HELP = _(
    "Comma-separated, for example: rules of origin, certification, logistics, export finance, "
    "buyer search."
)
CODES_HELP = _("HS headings (4 digits) or chapters (2 digits), comma-separated: 0901, 0804.")


class _ExportInterestsForm(forms.Form):
    products = forms.CharField(
        label=_("Products (HS codes)"), required=False, help_text=CODES_HELP
    )
    markets = forms.MultipleChoiceField(
        label=_("Markets"),
        choices=country_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=SPOKEN_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.CharField(
        label=_("Topics"), required=False, max_length=600, help_text=TOPICS_HELP
    )

    def clean_products(self) -> list[str]:
        return clean_codes(self.cleaned_data["products"])

    def clean_topics(self) -> list[str]:
        return clean_topics(self.cleaned_data["topics"])


class OfferForm(_ExportInterestsForm):
    capacity = forms.IntegerField(
        label=_("Mentees at most"),
        min_value=1,
        max_value=MAX_CAPACITY,
        initial=2,
        help_text=_("Active mentees you can take at the same time."),
    )
    pitch = forms.CharField(
        label=_("How I can help"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accepts_competitors = forms.BooleanField(
        label=_("I also mentor direct competitors (firms selling my products into my markets)"),
        required=False,
    )
    is_paused = forms.BooleanField(label=_("Pause: take no new mentees for now"), required=False)
    strengths = forms.MultipleChoiceField(
        label=_("Strong in"),
        choices=dimensions.CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Dimensions of export readiness you can help a firm with most."),
    )

    field_order = ["capacity", "products", "markets", "topics", "strengths", "languages", "pitch"]


class NeedsForm(_ExportInterestsForm):
    stage = forms.ChoiceField(label=_("Where your firm stands"), choices=Stage.choices)
    note = forms.CharField(
        label=_("Anything else a mentor should know"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["stage", "products", "markets", "topics", "languages", "note"]


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the mentor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you hope to learn, and what your firm does."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class GoalForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Goal.Outcome.choices)
    title = forms.CharField(label=_("Goal"), max_length=200)
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        help_text=Goal._meta.get_field("year").help_text,
    )
    hs_code = forms.CharField(
        label=_("Product (HS code)"),
        required=False,
        max_length=4,
        help_text=_("For diversification: the new product, if there is one."),
    )
    market = forms.ChoiceField(
        label=_("Market"),
        choices=country_choices_or("—"),
        required=False,
        help_text=_("For diversification: the new market, if there is one."),
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.now().year

    def clean_hs_code(self) -> str:
        codes = clean_codes(self.cleaned_data["hs_code"])
        return codes[0] if codes else ""


class AdoptGoalForm(forms.Form):
    """Which of the follower's active pairings takes the goal, and for which year."""

    pairing = forms.TypedChoiceField(label=_("Pairing"), coerce=int)
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        help_text=Goal._meta.get_field("year").help_text,
    )

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].choices = [
            (pairing.pk, pairing.mentor.profile.display_name) for pairing in pairings
        ]
        self.fields["year"].initial = timezone.now().year + 1


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ExportRecordForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1950)
    hs_code = forms.CharField(label=_("Product (HS code)"), max_length=4)
    country = forms.ChoiceField(label=_("Destination"), choices=country_choices)
    value_band = forms.ChoiceField(label=_("Value"), choices=ExportRecord.ValueBand.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].max_value = timezone.now().year
        self.fields["year"].initial = timezone.now().year

    def clean_hs_code(self) -> str:
        codes = clean_codes(self.cleaned_data["hs_code"])
        if len(codes) != 1:
            raise forms.ValidationError(_("One HS code per record."))
        return codes[0]


class CohortRowForm(forms.Form):
    """One row of a cohort draft: a follower and the mentor's offer chosen for them."""

    follower = IdField(widget=forms.HiddenInput)
    offer = IdField()


class CohortFormSet(forms.BaseFormSet):
    """The coordinator's draft as posted, one row per follower."""

    @classmethod
    def get_default_prefix(cls) -> str:
        return "cohort"

    @property
    def choices(self) -> dict[int, int | None]:
        """Follower id -> offer id (None: no mentor). Rows with an odd id are left out, as is
        everything when the rows' count is missing: an empty draft, which publishes nobody."""
        choices = {}
        for form in self.forms:
            if form.is_valid() and form.cleaned_data["follower"] is not None:
                choices[form.cleaned_data["follower"]] = form.cleaned_data["offer"]
        return choices


cohort_formset = forms.formset_factory(CohortRowForm, formset=CohortFormSet, extra=0)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    local_start = WallClockField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=Session._meta.get_field("time_zone").choices
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=480, initial=60
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("Leave empty for no limit; beyond it, people join a waiting list."),
    )

    def __init__(self, *args, group: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not group:
            del self.fields["capacity"]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("yes", "yes"), ("maybe", "maybe"), ("no", "no")])


class ConfirmForm(forms.Form):
    took_place = forms.TypedChoiceField(
        label=_("Did the session take place?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    useful = forms.TypedChoiceField(
        label=_("Was it useful?"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", "—"), *[(str(n), "★" * n) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
