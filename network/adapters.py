"""allauth hooks: every new account gets a profile; invitation links count as verification;
account emails go out through the task queue."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from core.emails import message_fields, send_account_email
from network.services import profiles


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profiles.ensure_profile(user=user)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Rendered here, sent by the task queue: a sign-up with a taken address and one with
        a new address each enqueue one email, and neither waits on the mail server."""
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        send_account_email.enqueue(template=template_prefix, message=message_fields(message))
