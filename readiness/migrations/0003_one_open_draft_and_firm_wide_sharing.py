from django.conf import settings
from django.db import migrations, models


def share_as_the_latest_submission(apps, schema_editor):
    """Sharing becomes the firm's choice: every assessment of a firm takes the flag of its
    latest submission."""
    Assessment = apps.get_model("readiness", "Assessment")
    latest = {}
    rows = (
        Assessment.objects.filter(status="submitted")
        .order_by("organization_id", "submitted_at", "pk")
        .values_list("organization_id", "shared_with_mentors")
    )
    for organization_id, shared in rows:
        latest[organization_id] = shared
    for shared in (True, False):
        firms = [org for org, flag in latest.items() if flag is shared]
        Assessment.objects.filter(organization_id__in=firms).update(shared_with_mentors=shared)


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0006_referrals"),
        ("network", "0011_invitation_batches_and_invitee_names"),
        ("readiness", "0002_default_questionnaire"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="questionnaire",
            constraint=models.UniqueConstraint(
                condition=models.Q(("published_at__isnull", True)),
                fields=("family",),
                name="one_open_draft_per_family",
            ),
        ),
        migrations.RunPython(share_as_the_latest_submission, migrations.RunPython.noop),
    ]
