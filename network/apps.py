from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network")

    def ready(self):
        from network import onboarding, signals  # noqa: F401
        from network.converters import IdConverter

        # Before any URL configuration is read: every app's ids are <id:...>.
        register_converter(IdConverter, "id")
