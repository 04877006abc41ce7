from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_shipped_questionnaire(**kwargs) -> None:
    """The shipped questionnaire, again after a flush (which runs post_migrate): a database
    emptied by `flush` or by a test would otherwise have no diagnostic to take."""
    from django.db import connection
    from django.utils import timezone

    from readiness import default_questionnaire
    from readiness.models import Choice, Question, Questionnaire

    if Questionnaire._meta.db_table not in connection.introspection.table_names():
        return  # migrated back to before the app's tables
    default_questionnaire.install(Questionnaire, Question, Choice, now=timezone.now())


class ReadinessConfig(AppConfig):
    name = "readiness"
    verbose_name = _("Export readiness")

    def ready(self):
        from readiness import demo, slots  # noqa: F401

        post_migrate.connect(install_shipped_questionnaire, sender=self)
