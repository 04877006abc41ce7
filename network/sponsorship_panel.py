"""The "My network" panel of sponsorship proposals waiting for this person's answer."""

from core import home_panels
from core.compiled import compiled_read
from network import selectors
from network.models import Sponsorship, User

SHOWN = 5


@compiled_read()
def _offers_to(p):
    offered = Sponsorship.objects.filter(
        cluster__in=p.many("clusters"), status=Sponsorship.Status.OFFERED
    )
    return offered.select_related("cluster", "agency").order_by("created_at")[:SHOWN]


@compiled_read()
def _requests_to(p):
    requested = Sponsorship.objects.filter(agency=p.agency, status=Sponsorship.Status.REQUESTED)
    return requested.select_related("cluster").order_by("created_at")[:SHOWN]


def sponsorship_panel(*, user: User) -> dict | None:
    """Offers to the clusters this person coordinates, requests to the agency they serve."""
    coordinated = [cluster.pk for cluster in selectors.coordinated_clusters_of(user)]
    offers = _offers_to(clusters=coordinated) if coordinated else []
    agency = selectors.agency_of(user)
    requests = _requests_to(agency=agency.pk) if agency is not None else []
    if not offers and not requests:
        return None
    return {"offers": offers, "requests": requests}


home_panels.register(
    home_panels.Panel("sponsorship", 4, "network/panels/sponsorship.html", sponsorship_panel)
)
