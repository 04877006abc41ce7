"""What every change to a guide does first and last: check the role, clean the text, and
leave a line on the review trail."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, NotAllowed
from core.text import clean_text
from guides.models import Guide, ReviewComment
from network.models import User

Status, Action = Guide.Status, ReviewComment.Action


def require(allowed: bool, message) -> None:
    """The person may read the guide but does not hold the role this needs."""
    if not allowed:
        raise NotAllowed(message)


def log(guide: Guide, by: User | None, action: str, text: str = "") -> ReviewComment:
    return ReviewComment.objects.create(guide=guide, author=by, action=action, text=text)


def clean_field(value: object, model, field: str, label=None) -> str:
    """Free text, trimmed and storable, or refused when longer than its field holds."""
    return clean_text(value, model=model, field=field, error=DomainError, label=label)


def clean_note(value: object) -> str:
    """A note for the review trail (publishing's goes on the version, which holds less)."""
    return clean_field(value, ReviewComment, "text", label=_("note"))
