"""Each cluster's sponsoring agency, named by the cluster alone until now, becomes an active
sponsorship: the demo data and the clusters of earlier versions keep the sponsor they show."""

from django.db import migrations
from django.utils import timezone


def sponsorships_from_sponsor(apps, schema_editor):
    Cluster = apps.get_model("network", "Cluster")
    Sponsorship = apps.get_model("network", "Sponsorship")
    now = timezone.now()
    Sponsorship.objects.bulk_create(
        [
            Sponsorship(
                cluster_id=cluster.pk,
                agency_id=cluster.sponsor_id,
                status="active",
                proposed_by_side="cluster",
                requested_by_id=cluster.created_by_id,
                decided_at=now,
            )
            for cluster in Cluster.objects.filter(sponsor__isnull=False).only(
                "pk", "sponsor_id", "created_by_id"
            )
        ]
    )


def sponsor_from_sponsorships(apps, schema_editor):
    Cluster = apps.get_model("network", "Cluster")
    Sponsorship = apps.get_model("network", "Sponsorship")
    for sponsorship in Sponsorship.objects.filter(status="active").order_by("-decided_at"):
        Cluster.objects.filter(pk=sponsorship.cluster_id).update(sponsor=sponsorship.agency_id)


class Migration(migrations.Migration):
    dependencies = [("network", "0005_sponsorship")]

    operations = [migrations.RunPython(sponsorships_from_sponsor, sponsor_from_sponsorships)]
