"""Hooks on network's models: a membership that stops being active ends live forum access."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from forums import notifications, realtime
from network.signals import member_erased


@receiver(post_save, sender="network.Membership", dispatch_uid="forums.membership_saved")
def membership_saved(sender, instance, raw=False, **kwargs):
    # network cannot tell forums (it imports no other app), so forums listens: any
    # status but active (suspended, left...) must stop the member's open sockets.
    if not raw and instance.status != instance.Status.ACTIVE:
        realtime.broadcast_member_access(instance.user_id)


@receiver(post_delete, sender="network.Membership", dispatch_uid="forums.membership_deleted")
def membership_deleted(sender, instance, **kwargs):
    realtime.broadcast_member_access(instance.user_id)


@receiver(member_erased, dispatch_uid="forums.member_erased")
def member_erased_handler(sender, user, names=(), handle=None, **kwargs):
    notifications.forget_erased_member(user=user, names=names, handle=handle)
    realtime.broadcast_member_access(user.pk)
