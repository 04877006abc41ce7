"""allauth hooks: every new account gets a profile; invitation links count as verification."""

from allauth.account.adapter import DefaultAccountAdapter

from network import services


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.ensure_profile(user=user)
        return user
