"""The shipped goal templates, one per readiness dimension."""

from django.db import migrations

from mentoring.goal_templates import TEMPLATES


def load(apps, schema_editor):
    GoalTemplate = apps.get_model("mentoring", "GoalTemplate")
    if GoalTemplate.objects.exists():
        return
    GoalTemplate.objects.bulk_create(
        GoalTemplate(dimension=dimension, outcome=outcome, title=title, steps=steps)
        for dimension, outcome, title, steps in TEMPLATES
    )


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0005_readiness_strengths_and_goal_templates")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
