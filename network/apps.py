from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network")

    def ready(self):
        from network import onboarding, signals, sponsorship_panel, worker  # noqa: F401
        from network.converters import IdConverter
        from network.site import sync_site

        # Before any URL configuration is read: every app's ids are <id:...>.
        register_converter(IdConverter, "id")
        post_migrate.connect(sync_site, sender=self)
        worker.connect()
