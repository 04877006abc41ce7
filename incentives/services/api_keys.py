"""Officers' keys to the agency API."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from core.text import clean_text
from incentives.models import ApiToken
from incentives.selectors import agency_of
from network.models import User


def issue_api_key(*, by: User, name: str) -> tuple[ApiToken, str]:
    """A key to the agency API for an officer; the key itself is returned once, never kept."""
    name = clean_text(name, model=ApiToken, field="name", error=DomainError)
    if agency_of(by) is None:
        raise NotAllowed(gettext_lazy("Only officers of an export-promotion agency get API keys."))
    if not name.strip():
        raise DomainError(gettext_lazy("Say what the key is for (up to 100 characters)."))
    return ApiToken.issue(user=by, name=name.strip()[:100])


@transaction.atomic
def revoke_api_key(*, token: ApiToken, by: User) -> ApiToken:
    """The key stops working at once; the row stays, with when it was revoked."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != by.pk:
        raise NotAllowed()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
