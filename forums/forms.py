"""Forms of the forum pages."""

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from forums import services
from forums.models import EmailPreference, Topic

BODY_HELP = _(
    "Markdown: **bold**, *italic*, [links](https://…), lists, `code`. Mention with @handle."
)


class TopicForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Topic.Kind.choices,
        widget=forms.RadioSelect,
        initial=Topic.Kind.DISCUSSION,
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=200,
        help_text=_("Up to 5, comma-separated: rules of origin, logistics."),
    )

    def clean_tags(self) -> list[str]:
        try:
            return services.clean_tags(self.cleaned_data["tags"].split(","))
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=BODY_HELP,
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason (moderators see it)"), max_length=300)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=100)

    def clean_tag(self) -> str:
        return slugify(self.cleaned_data["tag"])

    solved = forms.ChoiceField(
        label=_("Questions"),
        choices=[("", _("All")), ("no", _("Unsolved")), ("yes", _("Solved"))],
        required=False,
    )
    author = forms.CharField(
        label=_("Author"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"list": "room-authors", "autocomplete": "off"}),
        help_text=_("A name or @handle."),
    )

    def clean_author(self) -> str:
        return self.cleaned_data["author"].strip().removeprefix("@").strip()


class EmailPreferenceForm(forms.ModelForm):
    class Meta:
        model = EmailPreference
        fields = ["mentions", "replies", "accepted", "moderation", "announcements"]


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, lists and links. Every active member receives it."),
    )
