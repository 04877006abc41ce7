"""The shipped goal templates, one per readiness dimension."""

from django.db import migrations

from mentoring import goal_templates


def load(apps, schema_editor):
    goal_templates.install(apps.get_model("mentoring", "GoalTemplate"))


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0005_readiness_strengths_and_goal_templates")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
