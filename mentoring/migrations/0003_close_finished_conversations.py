"""Conversations of pairings that finished before conversations could close are closed now,
as forums.services.close_conversation would have closed them then."""

from django.db import migrations
from django.utils import timezone


def close_finished(apps, schema_editor):
    Pairing = apps.get_model("mentoring", "Pairing")
    Room = apps.get_model("forums", "Room")
    finished = Pairing.objects.filter(
        status__in=["completed", "ended"], conversation__isnull=False
    ).values_list("status", "closed_at", "conversation__room_id")
    for status, closed_at, room_id in finished.iterator():
        Room.objects.filter(pk=room_id, closed_at__isnull=True).update(
            closed_at=closed_at or timezone.now(), closed_because=status
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0002_pairing_offer_cascade"),
        ("forums", "0003_room_closed"),
    ]

    operations = [migrations.RunPython(close_finished, migrations.RunPython.noop)]
