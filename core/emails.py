"""Background work of the platform: sending the emails that tell members what happened.

An email that fails to go out is retried later, with growing delays, as a new task; one that
the mail server accepted is never sent again. A worker that dies mid-send leaves its task
"running" until core.worker finds the worker gone and queues the task again; each email has
a key and is sent inside a transaction that records the key as sent (SentEmail), so the task
run again sends it only if the first run never finished handing it over (docs/operations.md).
"""

import logging
import smtplib
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django_tasks import task

from core.models import SentEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def _language_for(recipient_id: int | None) -> str:
    if recipient_id is None:
        return settings.LANGUAGE_CODE
    user = get_user_model().objects.select_related("profile").filter(pk=recipient_id).first()
    profile = getattr(user, "profile", None) if user else None
    return (profile and profile.preferred_language) or settings.LANGUAGE_CODE


def _render_text(name: str, context: dict) -> str:
    # Plain-text mail: names such as "Café & Co" must not arrive as "Café &amp; Co".
    return get_template(name).template.render(Context(context, autoescape=False))


def _deliver(message: EmailMessage) -> None:
    """Hand one message to the mail server; once it is accepted, nothing here raises."""
    connection = get_connection()
    connection.open()
    try:
        connection.send_messages([message])
    finally:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            # Said goodbye badly after the server took the message: it is sent all the same.
            logger.warning("Mail server connection closed uncleanly", exc_info=True)


def _retry_later(attempt: int, *, task=None, **arguments) -> None:
    task = task or send_member_email
    backend = task.get_backend()
    if attempt >= MAX_ATTEMPTS or not backend.supports_defer:
        logger.error("Email %s not sent after %d attempt(s)", arguments["template"], attempt)
        return
    delay = timedelta(seconds=settings.TASK_RETRY_DELAY * 4 ** (attempt - 1))
    task.using(run_after=timezone.now() + delay).enqueue(attempt=attempt + 1, **arguments)
    logger.warning(
        "Email %s not sent; attempt %d in %s", arguments["template"], attempt + 1, delay
    )


def new_key() -> str:
    return uuid.uuid4().hex


def _send_once(key: str, template: str, message: EmailMessage) -> bool:
    """Send unless the email with this key was sent already; False when it was.

    The row is inserted before sending and committed only once the server has accepted the
    message. A second run of the same task waits on that uncommitted row (the key is unique)
    and then finds it; a run whose worker died never committed it, so the next run sends.
    """
    # The same Message-ID on every run lets mail clients drop the copy that the one
    # unguarded moment (accepted by the server, worker killed before the commit) would make.
    message.extra_headers["Message-ID"] = f"<{key}@{DNS_NAME}>"
    try:
        with transaction.atomic():
            SentEmail.objects.create(key=key, template=template)
            _deliver(message)
    except IntegrityError:
        logger.info("Email %s of task %s was already sent", template, key)
        return False
    return True


@task()
def send_member_email(
    *,
    recipient_id: int | None,
    email: str,
    template: str,
    context: dict,
    attempt: int = 1,
    key: str = "",
) -> None:
    """Render <template>_subject.txt and _message.txt in the recipient's language; send.

    `key` names this one email, the same however many times its task runs (new_key()).
    """
    with translation.override(_language_for(recipient_id)):
        subject = _render_text(f"{template}_subject.txt", context)
        body = _render_text(f"{template}_message.txt", context)
    message = EmailMessage(" ".join(subject.split()), body, None, [email])
    try:
        # A task queued before emails had keys gets one of its own: sent at least once.
        _send_once(key or new_key(), template, message)
    except (smtplib.SMTPException, OSError):
        # Refused or unreachable before accepting it: not sent, so safe to send again.
        _retry_later(
            attempt,
            recipient_id=recipient_id,
            email=email,
            template=template,
            context=context,
            key=key,
        )
        raise


def message_fields(message: EmailMessage) -> dict:
    """A rendered message as the task queue can store it."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "subtype": message.content_subtype,
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


@task()
def send_account_email(*, template: str, message: dict, attempt: int = 1) -> None:
    """Send an account email (address confirmation, password reset, "you already have an
    account") that was rendered in the request."""
    email = EmailMultiAlternatives(
        message["subject"],
        message["body"],
        message["from_email"],
        message["to"],
        headers=message["headers"],
    )
    email.content_subtype = message["subtype"]
    for content, mimetype in message["alternatives"]:
        email.attach_alternative(content, mimetype)
    try:
        _deliver(email)
    except (smtplib.SMTPException, OSError):
        _retry_later(attempt, task=send_account_email, template=template, message=message)
        raise
