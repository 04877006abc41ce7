"""The "My network" panel of sponsorship proposals waiting for this person's answer."""

from core import home_panels
from network import selectors
from network.models import Sponsorship, User

SHOWN = 5


def sponsorship_panel(*, user: User) -> dict | None:
    """Offers to the clusters this person coordinates, requests to the agency they serve."""
    coordinated = [cluster.pk for cluster in selectors.coordinated_clusters_of(user)]
    offers = []
    if coordinated:
        offers = list(
            Sponsorship.objects.filter(cluster__in=coordinated, status=Sponsorship.Status.OFFERED)
            .select_related("cluster", "agency")
            .order_by("created_at")[:SHOWN]
        )
    agency = selectors.agency_of(user)
    requests = []
    if agency is not None:
        requests = list(
            Sponsorship.objects.filter(agency=agency, status=Sponsorship.Status.REQUESTED)
            .select_related("cluster")
            .order_by("created_at")[:SHOWN]
        )
    if not offers and not requests:
        return None
    return {"offers": offers, "requests": requests}


home_panels.register(
    home_panels.Panel("sponsorship", 4, "network/panels/sponsorship.html", sponsorship_panel)
)
