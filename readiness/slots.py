"""Where the diagnostic is reached from the pages below it (core.slots, core.home_panels):
the firm's own organization page and "My network" for its people, the cluster page for its
members (and the heatmap for its coordinators), the programme page for the agency."""

from core import home_panels, slots
from incentives import selectors as incentives
from network.models import Membership, Organization
from network.selectors import active_memberships_of


def _own_firm(viewer, organization) -> bool:
    profile = getattr(viewer, "profile", None)
    return (
        organization is not None
        and organization.kind == Organization.Kind.FIRM
        and profile is not None
        and profile.organization_id == organization.pk
    )


def on_organization(*, viewer, organization) -> dict | None:
    if not _own_firm(viewer, organization):
        return None
    return {"organization": organization}


def on_cluster(*, viewer, cluster, membership=None) -> dict | None:
    if membership is None or not membership.is_active:
        return None
    return {"cluster": cluster, "coordinates": membership.is_coordinator}


def on_programme(*, viewer, programme) -> dict | None:
    """The link leads to a page of the sponsoring agency's officers alone: a co-sponsor
    reading the programme page is not shown it."""
    if not incentives.is_officer(viewer, programme):
        return None
    return {"programme": programme}


def home_panel(*, user) -> dict | None:
    """For the people of a member firm; it reads nothing of its own ("My network" is at its
    query budget): the diagnostic's page shows where the firm stands."""
    profile = getattr(user, "profile", None)
    if profile is None or profile.organization_id is None:
        return None
    roles = {membership.role for membership in active_memberships_of(user)}
    if not roles - {Membership.Role.OBSERVER}:
        return None
    return {}


slots.register(
    "organization.aside",
    slots.Piece("readiness", "readiness/_organization_link.html", on_organization, order=40),
)
slots.register(
    "cluster.main", slots.Piece("readiness", "readiness/_cluster_link.html", on_cluster, order=60)
)
slots.register(
    "programme.links",
    slots.Piece("readiness", "readiness/_programme_link.html", on_programme, order=60),
)
home_panels.register(home_panels.Panel("readiness", 60, "readiness/panel.html", home_panel))
