"""Model hooks that keep mentors' place counters true when rows go away outside the services."""

from django.db.models import F
from django.db.models.signals import pre_delete
from django.dispatch import receiver


@receiver(pre_delete, sender="mentoring.Pairing", dispatch_uid="mentoring.free_place")
def free_place_of_deleted_pairing(sender, instance, **kwargs):
    # Deleting an account deletes its pairings; an active one held a mentor's place.
    if instance.status == instance.Status.ACTIVE:
        from mentoring.models import MentorOffer

        MentorOffer.objects.filter(pk=instance.offer_id, active_mentees__gt=0).update(
            active_mentees=F("active_mentees") - 1
        )
