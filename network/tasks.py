"""Background work of the network app: sending the emails that tell members what happened."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django_tasks import task


def _language_for(recipient_id: int | None) -> str:
    if recipient_id is None:
        return settings.LANGUAGE_CODE
    user = get_user_model().objects.select_related("profile").filter(pk=recipient_id).first()
    profile = getattr(user, "profile", None) if user else None
    return (profile and profile.preferred_language) or settings.LANGUAGE_CODE


def _render_text(name: str, context: dict) -> str:
    # Plain-text mail: names such as "Café & Co" must not arrive as "Café &amp; Co".
    return get_template(name).template.render(Context(context, autoescape=False))


@task()
def send_member_email(
    *, recipient_id: int | None, email: str, template: str, context: dict
) -> None:
    """Render <template>_subject.txt and _message.txt in the recipient's language."""
    with translation.override(_language_for(recipient_id)):
        subject = _render_text(f"{template}_subject.txt", context)
        body = _render_text(f"{template}_message.txt", context)
    send_mail(" ".join(subject.split()), body, None, [email])
