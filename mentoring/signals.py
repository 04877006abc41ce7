"""Network's events and model hooks: pairings close when one side stops being an active
member of the cluster, and mentors' place counters stay true when rows go away outside the
services."""

from django.db.models import F, QuerySet
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from mentoring.services import erasure, pairings, sessions
from network.signals import member_erased, membership_ended


@receiver(pre_delete, sender="mentoring.Pairing", dispatch_uid="mentoring.free_place")
def free_place_of_deleted_pairing(sender, instance, **kwargs):
    # Deleting an account deletes its pairings; an active one held a mentor's place.
    if instance.status == instance.Status.ACTIVE:
        from mentoring.models import MentorOffer

        MentorOffer.objects.filter(pk=instance.offer_id, active_mentees__gt=0).update(
            active_mentees=F("active_mentees") - 1
        )


@receiver(membership_ended, dispatch_uid="mentoring.membership_ended")
def membership_ended_handler(sender, membership, **kwargs):
    # A member suspended or gone cannot go on mentoring or being mentored there.
    pairings.close_pairings_of_former_member(user=membership.user, cluster=membership.cluster)


@receiver(post_delete, sender="network.Membership", dispatch_uid="mentoring.membership_deleted")
def membership_deleted(sender, instance, origin=None, **kwargs):
    # Deleting a membership row ends it too, whoever deletes it (a service, the admin). Only
    # when the membership itself is deleted: deleting an account or a cluster deletes
    # its pairings too, and free_place_of_deleted_pairing already gives the places back.
    by_itself = isinstance(origin, sender) or (
        isinstance(origin, QuerySet) and issubclass(origin.model, sender)
    )
    if by_itself:
        pairings.close_pairings_of_former_member(user=instance.user, cluster=instance.cluster)


@receiver(member_erased, dispatch_uid="mentoring.member_erased")
def member_erased_handler(sender, user, names=(), **kwargs):
    # network cannot reach mentoring's rows; each app erases what it owns.
    sessions.withdraw_erased_member(user=user)
    erasure.forget_erased_member(user=user, names=names)
