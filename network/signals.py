"""Accounts made outside sign-up (admin, createsuperuser, seed data) get a profile too."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="network.profile_for_user")
def create_profile(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from network.services import ensure_profile

        ensure_profile(user=instance)
