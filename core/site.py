"""The Sites framework's one row names the site as it is served: allauth's emails read it."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site

SITE_NAME = "Pioneros"


def sync_site(*, using: str = "default", **kwargs) -> None:
    """Run after every migrate (`make run` migrates before serving): the name, and the host and
    port of PUBLIC_URL, so emails never say example.com nor point at another port."""
    domain = urlsplit(settings.PUBLIC_URL).netloc
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"name": SITE_NAME, "domain": domain}
    )
    Site.objects.clear_cache()
