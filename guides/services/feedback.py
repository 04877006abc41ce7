"""What readers tell a guide's authors: that it was useful, or what should be corrected."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from guides import access, credits, notifications
from guides.models import CorrectionSuggestion, Guide, UsefulMark
from guides.services._shared import clean_field, require
from network.models import User


@transaction.atomic
def mark_useful(*, guide: Guide, by: User) -> bool:
    """Once per reader; False when this reader had already marked it."""
    if not by.is_authenticated or not access.can_read(by, guide) or not guide.is_listed:
        raise DomainError(_("Only a published guide you can read can be marked."), code="state")
    if access.is_author(by, guide):
        raise DomainError(_("You cannot mark your own guide as useful."), code="own_guide")
    try:
        with transaction.atomic():
            mark = UsefulMark.objects.create(guide=guide, reader=by)
    except IntegrityError:
        return False  # already counted; a second click changes nothing
    Guide.objects.filter(pk=guide.pk).update(useful_count=F("useful_count") + 1)
    credits.marked_useful(guide=guide, mark=mark)
    return True


@transaction.atomic
def suggest_correction(*, guide: Guide, by: User, text: str) -> CorrectionSuggestion:
    text = clean_field(text, CorrectionSuggestion, "text")
    if not by.is_authenticated or not access.can_read(by, guide) or not guide.is_listed:
        raise DomainError(
            _("Only a published guide you can read takes corrections."), code="state"
        )
    text = text.strip()
    if not text:
        raise DomainError(_("Say what should change."), code="empty")
    suggestion = CorrectionSuggestion.objects.create(
        guide=guide, version_id=guide.current_version_id, author=by, text=text
    )
    notifications.tell(
        kind="correction", guide=guide, users=notifications.authors(guide), actor=by, text=text
    )
    return suggestion


@transaction.atomic
def resolve_correction(
    *, suggestion: CorrectionSuggestion, by: User, accepted: bool
) -> CorrectionSuggestion:
    suggestion = CorrectionSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    require(
        access.can_manage(by, suggestion.guide),
        _("Only the guide's authors and coordinators answer corrections."),
    )
    if suggestion.status == CorrectionSuggestion.Status.OPEN:
        Status_ = CorrectionSuggestion.Status
        suggestion.status = Status_.ACCEPTED if accepted else Status_.DISMISSED
        suggestion.resolved_by = by
        suggestion.resolved_at = timezone.now()
        suggestion.save(update_fields=["status", "resolved_by", "resolved_at"])
    return suggestion
