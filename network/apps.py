from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network")

    def ready(self):
        from network import onboarding, signals  # noqa: F401
        from network.site import sync_site

        post_migrate.connect(sync_site, sender=self)
