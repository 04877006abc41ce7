from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The platform under every domain app: paging, limits, live events, email, registries."""

    name = "core"
    verbose_name = _("Platform")

    def ready(self):
        from core import worker
        from core.converters import IdConverter, PageIndexConverter
        from core.site import sync_site

        # Before any URL configuration is read: every app's ids are <id:...>.
        register_converter(IdConverter, "id")
        register_converter(PageIndexConverter, "index")
        post_migrate.connect(sync_site, sender=self)
        worker.connect()
