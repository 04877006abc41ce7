"""Hooks on network's signals: an erased member's own drafts go."""

from django.dispatch import receiver

from guides import services
from network.signals import member_erased


@receiver(member_erased, dispatch_uid="guides.member_erased")
def member_erased_handler(sender, user, **kwargs):
    services.forget_erased_member(user=user)
