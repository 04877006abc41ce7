"""The shipped questionnaire, published: every firm takes it until its cluster or programme
adapts a copy."""

from django.db import migrations
from django.utils import timezone

from readiness import default_questionnaire


def load(apps, schema_editor):
    default_questionnaire.install(
        apps.get_model("readiness", "Questionnaire"),
        apps.get_model("readiness", "Question"),
        apps.get_model("readiness", "Choice"),
        now=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("readiness", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
