"""Forms of the network pages, rendered with Bootstrap classes by PionerosFormRenderer."""

import datetime

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from core import hs
from core.forms import country_choices, country_choices_or
from network import taxids
from network.models import SPOKEN_LANGUAGES, Cluster, Membership, Organization, Profile, Sector
from network.services.memberships import JOINABLE_ROLES


class StyledBoundField(BoundField):
    """Adds the Bootstrap class for the widget's kind, so every form, allauth's too, matches."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(
            widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
        ):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if self.errors:
            css += " is-invalid"
        attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
        return attrs


class PionerosFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = StyledBoundField


class ClusterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    region = forms.CharField(
        label=_("Region"),
        max_length=120,
        required=False,
        help_text=_("A state, department or city, if the cluster is local."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Cluster.Visibility.choices,
        widget=forms.RadioSelect,
        initial=Cluster.Visibility.PUBLIC,
    )


class SponsorshipRequestForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Organization.objects.filter(kind=Organization.Kind.AGENCY),
        empty_label=_("Choose an agency"),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.FOLLOWER
    )


class JoinRequestForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Join as"),
        choices=[(role.value, role.label) for role in JOINABLE_ROLES],
        widget=forms.RadioSelect,
        initial=Membership.Role.FOLLOWER,
    )
    message = forms.CharField(
        label=_("Message to the coordinators"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you export or hope to export, and what you are looking for."),
    )


class InvitationAcceptForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        help_text=_("How the cluster's members will see you; you can change it later."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


def _tag_list(value: str) -> list[str]:
    return sorted({item.strip().lower() for item in value.split(",") if item.strip()})


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=120)
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=SPOKEN_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Mentors and followers are matched on the languages they share."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=Profile._meta.get_field("time_zone").choices,
        help_text=_("Sessions and reminders are shown in your time zone."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for emails"),
        choices=[("", _("Same as the site")), *list(settings.LANGUAGES)],
        required=False,
    )
    bio = forms.CharField(
        label=_("Short bio"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    expertise = forms.CharField(
        label=_("Expertise"),
        required=False,
        max_length=500,
        help_text=_(
            "Comma-separated, for example: rules of origin, cold chain, organic certification."
        ),
    )

    def clean_expertise(self) -> list[str]:
        tags = _tag_list(self.cleaned_data["expertise"])
        if len(tags) > 15:
            raise forms.ValidationError(_("At most 15 areas of expertise."))
        if any(len(tag) > 50 for tag in tags):
            raise forms.ValidationError(_("Each area of expertise is at most 50 characters."))
        return tags


def _codes(value: str) -> list[str]:
    return sorted({item.strip() for item in value.replace(";", ",").split(",") if item.strip()})


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    size = forms.ChoiceField(
        label=_("Size"), choices=[("", "—"), *Organization.Size.choices], required=False
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", "—"), *Sector.choices], required=False
    )
    first_export_year = forms.IntegerField(
        label=_("First export year"),
        required=False,
        min_value=1900,
        help_text=_("Leave empty if you have not exported yet."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    tax_id_scheme = forms.ChoiceField(
        label=_("Tax id scheme"), choices=[("", "—"), *taxids.Scheme.choices], required=False
    )
    tax_id = forms.CharField(
        label=_("Tax id"),
        max_length=taxids.MAX_LENGTH,
        required=False,
        help_text=_(
            "Your firm's tax id lets the agencies that sponsor your clusters match it with "
            "their records; they see which firm on the network it is."
        ),
    )
    exported_codes = forms.CharField(
        label=_("Products exported (HS codes)"),
        required=False,
        help_text=_("HS headings (4 digits) or chapters (2 digits), comma-separated: 0901, 0804."),
    )
    planned_codes = forms.CharField(
        label=_("Products you plan to export (HS codes)"),
        required=False,
        help_text=_("Mentors who exported the same products are suggested first."),
    )
    markets = forms.MultipleChoiceField(
        label=_("Export markets"),
        choices=country_choices,
        required=False,
        help_text=_(
            "Where you export or aim to: suggestions favour mentors who have exported there."
        ),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the network's staff make an organization an agency (or a firm of one): the
        # form offers the kind it already has, so nobody picks what would be refused.
        current = self.initial.get("kind") or Organization.Kind.FIRM
        self.fields["kind"].choices = [(current, Organization.Kind(current).label)]
        self.fields["kind"].help_text = _(
            "Export-promotion agencies are registered by the network's staff."
        )

    def clean_first_export_year(self):
        year = self.cleaned_data["first_export_year"]
        if year is not None and year > datetime.date.today().year:
            raise forms.ValidationError(_("The first export year cannot be in the future."))
        return year

    def clean(self):
        cleaned = super().clean()
        value, scheme = cleaned.get("tax_id", ""), cleaned.get("tax_id_scheme", "")
        if value and not scheme:
            self.add_error("tax_id_scheme", _("Choose the scheme of the tax id."))
        elif value:
            try:
                cleaned["tax_id"] = taxids.normalise(scheme=scheme, value=value)
            except taxids.InvalidTaxId as error:
                self.add_error("tax_id", error.message)
        return cleaned

    def _clean_codes(self, name: str) -> list[str]:
        codes = _codes(self.cleaned_data[name])
        unknown = [code for code in codes if not hs.is_code(code)]
        if unknown:
            raise forms.ValidationError(
                _("Unknown HS codes: %(codes)s. Use 4-digit headings or 2-digit chapters."),
                params={"codes": ", ".join(unknown)},
            )
        return codes

    def clean_exported_codes(self):
        return self._clean_codes("exported_codes")

    def clean_planned_codes(self):
        return self._clean_codes("planned_codes")


class DirectoryFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Any role")), *Membership.Role.choices], required=False
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=country_choices_or(_("Any country")), required=False
    )
    product = forms.CharField(
        label=_("Product (HS code)"),
        required=False,
        max_length=4,
        widget=forms.TextInput(attrs={"placeholder": "0901", "inputmode": "numeric"}),
    )
    market = forms.ChoiceField(
        label=_("Export market"), choices=country_choices_or(_("Any market")), required=False
    )
    tag = forms.CharField(label=_("Expertise"), required=False, max_length=100)

    def clean_product(self):
        code = self.cleaned_data["product"].strip()
        if code and not hs.is_code(code):
            raise forms.ValidationError(_("Enter a 2-digit HS chapter or a 4-digit heading."))
        return code


class ClusterSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("Any sector")), *Sector.choices], required=False
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=country_choices_or(_("Any country")), required=False
    )


class EraseAccountForm(forms.Form):
    """The person proves it is them, and that they mean it, before their account is erased."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            # Accounts without a password (signed up through another site) type their address.
            self.fields["password"] = forms.CharField(
                label=_("Type your email address to confirm"), max_length=254
            )

    def clean_password(self):
        given = self.cleaned_data["password"]
        if self.user.has_usable_password():
            if not self.user.check_password(given):
                raise forms.ValidationError(_("That is not your password."))
        elif given.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(_("That is not your email address."))
        return given


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, doing the same work whether the address has an account or not."""

    def try_save(self, request):
        if self.account_already_exists:
            # No account is made, yet its password is hashed all the same: the hash is most of
            # what making one costs, and a quicker answer would tell that the address is taken.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class InvitationListForm(forms.Form):
    file = forms.FileField(
        label=_("List of people (CSV in UTF-8, comma or semicolon)"),
        help_text=_(
            "Columns email, role and name. Role is follower or mentor; the name may be empty."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt"}),
    )
