"""Where the diagnostic is reached from the pages below it (core.slots, core.home_panels):
the firm's own organization page and "My network" for its people, the cluster page for its
members (and the heatmap for its coordinators), the programme page for the agency."""

from core import home_panels, slots
from network.models import Organization
from readiness import selectors


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


def on_programme(*, viewer, programme) -> dict:
    return {"programme": programme}


def home_panel(*, user) -> dict | None:
    profile = getattr(user, "profile", None)
    organization = getattr(profile, "organization", None)
    if not _own_firm(user, organization):
        return None
    latest = selectors.latest_of(organization.pk)
    return {"draft": selectors.draft_of(user), "latest": latest}


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
