from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "readiness"
    verbose_name = _("Export readiness")

    def ready(self):
        from readiness import demo, slots  # noqa: F401
