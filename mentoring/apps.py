from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_shipped_goal_templates(**kwargs) -> None:
    """The shipped goal templates, again after a flush (which runs post_migrate)."""
    from django.db import connection

    from mentoring import goal_templates
    from mentoring.models import GoalTemplate

    if GoalTemplate._meta.db_table not in connection.introspection.table_names():
        return  # migrated back to before the templates' table
    goal_templates.install(GoalTemplate)


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")

    def ready(self):
        from mentoring import demo, home_panels, readiness, signals, slots  # noqa: F401

        post_migrate.connect(install_shipped_goal_templates, sender=self)
