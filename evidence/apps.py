from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def ready(self):
        from evidence import demo, home_panels, programme_sections, signals, slots  # noqa: F401
        from evidence.api import router
        from incentives.api import api

        api.add_router("/", router)
