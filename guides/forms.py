"""Forms of the guide pages; the rules themselves are checked again by the services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from guides import catalogue, services
from guides.catalogue import GuideTopic
from guides.models import Guide
from guides.selectors import GuideFilters

BODY_HELP = _(
    "Markdown: ## headings, **bold**, lists, [links](https://…), tables. Say what you did, "
    "what it cost, how long it took, and whom to ask."
)


class DateInput(forms.DateInput):
    input_type = "date"


class GuideForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Two sentences: who it is for and what they will be able to do."),
    )
    body = forms.CharField(
        label=_("Guide"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=BODY_HELP,
    )
    language = forms.ChoiceField(label=_("Language"), choices=catalogue.LANGUAGES)
    products = forms.CharField(
        label=_("Products (HS codes)"),
        required=False,
        max_length=200,
        help_text=_("Chapters or headings, comma-separated: 09, 0901."),
    )
    markets = forms.MultipleChoiceField(
        label=_("Markets"),
        required=False,
        choices=catalogue.market_choices,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Countries or trade blocs; hold Ctrl (⌘ on a Mac) to choose several."),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        required=False,
        choices=GuideTopic.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_products(self) -> list[str]:
        codes = [code.strip() for code in self.cleaned_data["products"].split(",")]
        try:
            return services.clean_facets(products=codes, markets=[], topics=[])["products"]
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class NewGuideForm(GuideForm):
    cluster = forms.TypedChoiceField(label=_("Cluster"), coerce=int)

    field_order = ["cluster"]

    def __init__(self, *args, clusters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].choices = [(c.pk, c.name) for c in clusters]


def _next_year() -> datetime.date:
    return timezone.localdate() + services.CHECK_AFTER


class PublishForm(forms.Form):
    note = forms.CharField(label=_("What changed and why"), required=False, max_length=500)
    visibility = forms.ChoiceField(
        label=_("Visible to"), choices=Guide.Visibility.choices, widget=forms.RadioSelect
    )
    check_by = forms.DateField(
        label=_("Check again by"),
        initial=_next_year,
        widget=DateInput,
        help_text=_("When rules might have changed: readers are warned after this date."),
    )


class ConfirmForm(forms.Form):
    check_by = forms.DateField(label=_("Check again by"), initial=_next_year, widget=DateInput)
    note = forms.CharField(label=_("What you checked"), required=False, max_length=500)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label=_("What should change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The authors receive it. Say what is wrong and, if you know, what is right."),
    )


class AuthorForm(forms.Form):
    handle = forms.SlugField(label=_("Add an author (handle)"), max_length=60)


class FilterForm(forms.Form):
    """The library's and the search page's guide filters."""

    product = forms.CharField(label=_("Product (HS code)"), required=False, max_length=4)
    market = forms.ChoiceField(label=_("Market"), required=False)
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", "—"), *GuideTopic.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", "—"), *catalogue.LANGUAGES]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = [("", "—"), *catalogue.market_choices()]

    def filters(self) -> GuideFilters:
        """The valid filters; a field that does not validate is left out, not an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        names = ("product", "market", "topic", "language")
        return GuideFilters(**{name: data.get(name) or "" for name in names})

    def clean_product(self) -> str:
        code = self.cleaned_data["product"].strip()
        if code and not (code.isdigit() and len(code) in (2, 4)):
            raise forms.ValidationError(_("An HS chapter (2 digits) or heading (4 digits)."))
        return code
