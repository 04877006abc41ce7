"""The evidence panel on an officer's "My network": the registry and each programme's impact."""

from core import home_panels
from core.compiled import compiled_read, counted
from evidence.models import ImportBatch, RegistryFirm
from incentives.selectors import agency_of, programmes_of_agency
from network.models import User


def officer_panel(*, user: User) -> dict | None:
    agency = agency_of(user)
    if agency is None:
        return None
    return {
        "firms": _registry_counts(agency=agency.pk)[0],
        "busy": _imports_running(agency=agency.pk)[0],
        "programmes": programmes_of_agency(agency, limit=5),
    }


@compiled_read()
def _registry_counts(p):
    return counted(RegistryFirm.objects.filter(agency=p.agency, is_current=True))


@compiled_read()
def _imports_running(p):
    running = [ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING]
    return counted(ImportBatch.objects.filter(agency=p.agency, status__in=running))


home_panels.register(home_panels.Panel("evidence", 40, "evidence/panel.html", officer_panel))
