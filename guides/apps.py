from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = _("Guides")

    def ready(self):
        from guides import demo, home_panels, readiness, search, signals, slots  # noqa: F401
