"""The buttons on a guide's page, one small form each: its fields, the service it runs and
what it says when done. The services clean and bound their own text and refuse with a
message, so the free-text fields here only make it storable."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.text import storable
from guides import services
from guides.forms import ConfirmForm, PublishForm
from guides.models import Guide
from network.models import Profile, User


class StorableText(forms.CharField):
    """Text as typed, without NUL (PostgreSQL refuses it): the service says what is wrong
    with it, in the same words on every edge, so the form refuses nothing."""

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, **kwargs)

    def to_python(self, value):
        return storable(super().to_python(value))


class GuideAction(forms.Form):
    # What the person is told when the form does not validate (only forms with typed
    # fields, a date or a choice, can fail).
    invalid = ""

    def act(self, *, guide: Guide, by: User) -> str:
        """Run the service; returns the confirmation to show."""
        raise NotImplementedError


class Useful(GuideAction):
    def act(self, *, guide, by):
        if services.mark_useful(guide=guide, by=by):
            return gettext("Thank you: the authors will know it helped.")
        return gettext("You had already marked this guide as useful.")


class Correct(GuideAction):
    text = StorableText()

    def act(self, *, guide, by):
        services.suggest_correction(guide=guide, by=by, **self.cleaned_data)
        return gettext("Thank you: your correction was sent to the authors.")


class Comment(GuideAction):
    text = StorableText()

    def act(self, *, guide, by):
        services.comment(guide=guide, by=by, **self.cleaned_data)
        return gettext("Comment added.")


class Submit(GuideAction):
    note = StorableText()

    def act(self, *, guide, by):
        services.submit_for_review(guide=guide, by=by, **self.cleaned_data)
        return gettext("Sent to the coordinators for review.")


class Return(GuideAction):
    note = StorableText()

    def act(self, *, guide, by):
        services.return_to_authors(guide=guide, by=by, **self.cleaned_data)
        return gettext("Returned to the authors with your comments.")


class Publish(PublishForm, GuideAction):
    invalid = _("Check the date and who sees the guide.")

    def act(self, *, guide, by):
        version = services.publish(guide=guide, by=by, **self.cleaned_data)
        return gettext("Published as version %(number)s.") % {"number": version.number}


class Confirm(ConfirmForm, GuideAction):
    invalid = _("Choose the date to check again.")

    def act(self, *, guide, by):
        services.confirm_current(guide=guide, by=by, **self.cleaned_data)
        return gettext("Confirmed as still current.")


class Flag(GuideAction):
    note = StorableText()

    def act(self, *, guide, by):
        services.flag_for_review(guide=guide, by=by, **self.cleaned_data)
        return gettext("Marked as needing review; readers see a warning.")


class Archive(GuideAction):
    note = StorableText()

    def act(self, *, guide, by):
        services.archive(guide=guide, by=by, **self.cleaned_data)
        return gettext("Archived: it left the library and the search.")


class AddAuthor(GuideAction):
    handle = StorableText()

    def act(self, *, guide, by):
        profile = (
            Profile.objects.select_related("user")
            .filter(handle=self.cleaned_data["handle"])
            .first()
        )
        if profile is None:
            raise DomainError(gettext("Nobody has that handle."))
        services.add_author(guide=guide, author=profile.user, by=by)
        return gettext("Author added.")


# The action in the page's address -> its form.
ACTIONS: dict[str, type[GuideAction]] = {
    "useful": Useful,
    "correct": Correct,
    "comment": Comment,
    "submit": Submit,
    "return": Return,
    "publish": Publish,
    "confirm": Confirm,
    "flag": Flag,
    "archive": Archive,
    "add_author": AddAuthor,
}
