"""The network's domain events, which the apps above subscribe to (network imports none of
them), and its model hooks: profiles for accounts made outside sign-up, counters kept on
deletion."""

from django.conf import settings
from django.db.models import F
from django.db.models.signals import post_save, pre_delete
from django.dispatch import Signal, receiver

# Sent by network.services.memberships whenever an active membership stops being active (the
# member is suspended, leaves, or is erased), inside the transaction that ends it, so the apps
# that give access through memberships withdraw it. Arguments: membership (saved, with its new
# status; its user and cluster as they are).
membership_ended = Signal()

# Sent by network.erasure before erasing a member at their request. A receiver returns a list
# of reasons (translatable text) why erasing now would strand others, or nothing.
# Arguments: user.
member_erasure_requested = Signal()

# Sent by network.erasure inside the erasing transaction, once the account is anonymised:
# each app erases or anonymises what it owns about the person. Arguments: user (the
# anonymised account, same id), names (what the person was called: display name, email
# addresses, longest first, for text an app copied them into), handle (what others typed
# after @ to mention them, or None).
member_erased = Signal()

# Sent by network.services.organizations.save_organization, inside its transaction, when an
# organization's tax id is set, changed or cleared, so the apps that match firms by tax id
# keep a trail.
# Arguments: organization, by (the person who changed it), before ((scheme, tax_id) or None).
organization_tax_id_changed = Signal()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="network.profile_for_user")
def create_profile(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from network.services.profiles import ensure_profile

        ensure_profile(user=instance)


@receiver(pre_delete, sender="network.Membership", dispatch_uid="network.count_deleted_member")
def uncount_deleted_membership(sender, instance, **kwargs):
    # Deleting an account or a membership row directly (admin) must keep the counter true.
    if instance.status == instance.Status.ACTIVE:
        from network.models import Cluster

        Cluster.objects.filter(pk=instance.cluster_id).update(
            active_member_count=F("active_member_count") - 1
        )
