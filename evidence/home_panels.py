"""The evidence panel on an officer's "My network": the registry and each programme's impact."""

from core import home_panels
from evidence.models import ImportBatch, RegistryFirm
from incentives.selectors import agency_of, programmes_of
from network.models import User


def officer_panel(*, user: User) -> dict | None:
    agency = agency_of(user)
    if agency is None:
        return None
    return {
        "firms": RegistryFirm.objects.filter(agency=agency, is_current=True).count(),
        "busy": ImportBatch.objects.filter(
            agency=agency,
            status__in=[ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING],
        ).count(),
        "programmes": list(programmes_of(user).only("pk", "name")[:5]),
    }


home_panels.register(home_panels.Panel("evidence", 40, "evidence/panel.html", officer_panel))
