"""What the evidence app shows on pages of the apps below (core.slots): on a firm's own
organization page, whether an agency confirmed its tax id, and the way to its records."""

from core import slots
from evidence.links import standing
from network.models import Organization


def on_organization(*, viewer, organization) -> dict | None:
    if organization is None or organization.kind != Organization.Kind.FIRM:
        return None
    profile = getattr(viewer, "profile", None)
    if profile is None or profile.organization_id != organization.pk:
        return None
    agencies = [link.agency.name for link in standing(organization).select_related("agency")]
    return {"organization": organization, "agencies": agencies}


slots.register(
    "organization.aside",
    slots.Piece("own_records", "evidence/_own_records_link.html", on_organization),
)
