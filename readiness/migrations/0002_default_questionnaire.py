"""The shipped questionnaire, published: every firm takes it until its cluster or programme
adapts a copy."""

from django.db import migrations
from django.utils import timezone

from readiness import default_questionnaire as default


def load(apps, schema_editor):
    Questionnaire = apps.get_model("readiness", "Questionnaire")
    Question = apps.get_model("readiness", "Question")
    Choice = apps.get_model("readiness", "Choice")
    if Questionnaire.objects.filter(cluster=None, programme=None).exists():
        return
    questionnaire = Questionnaire.objects.create(
        title=default.TITLE, language="es", published_at=timezone.now()
    )
    for position, (dimension, weight, text) in enumerate(default.QUESTIONS, start=1):
        question = Question.objects.create(
            questionnaire=questionnaire,
            dimension=dimension,
            text=text,
            position=position,
            weight=weight,
        )
        Choice.objects.bulk_create(
            Choice(question=question, text=label, points=points, position=i)
            for i, (label, points) in enumerate(default.SCALE)
        )


class Migration(migrations.Migration):
    dependencies = [("readiness", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
