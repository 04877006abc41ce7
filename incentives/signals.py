"""Hooks on network's signals: erasing a member at their request (network.erasure)."""

from django.dispatch import receiver

from incentives import selectors, services
from network.signals import member_erased, member_erasure_requested


@receiver(member_erasure_requested, dispatch_uid="incentives.member_erasure_requested")
def refuse_erasing_the_only_officer(sender, user, **kwargs):
    return selectors.erasure_refusals(user)


@receiver(member_erased, dispatch_uid="incentives.member_erased")
def member_erased_handler(sender, user, names=(), **kwargs):
    services.forget_erased_member(user=user, names=names)
