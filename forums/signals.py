"""Network's events: a membership that stops being active ends live forum access."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from forums import notifications, realtime
from network.signals import member_erased, membership_ended


@receiver(membership_ended, dispatch_uid="forums.membership_ended")
def membership_ended_handler(sender, membership, **kwargs):
    # Suspended, left or erased: the member's open sockets re-check what they may still read.
    realtime.broadcast_member_access(membership.user_id)


@receiver(post_delete, sender="network.Membership", dispatch_uid="forums.membership_deleted")
def membership_deleted(sender, instance, **kwargs):
    # Deleting a membership row ends access too, whoever deletes it (a service, the admin).
    realtime.broadcast_member_access(instance.user_id)


@receiver(member_erased, dispatch_uid="forums.member_erased")
def member_erased_handler(sender, user, names=(), handle=None, **kwargs):
    notifications.forget_erased_member(user=user, names=names, handle=handle)
    realtime.broadcast_member_access(user.pk)
