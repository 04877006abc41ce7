"""Reads the evidence pages need; firm-level rows only ever for the importing agency."""

from django.db.models import Count, Exists, OuterRef, Subquery, Sum
from django.http import Http404

from evidence.models import (
    ConfirmedLink,
    CustomsRecord,
    ImportBatch,
    PastParticipant,
    RegistryFirm,
    TaxIdLink,
)
from incentives.selectors import agency_of
from network.models import Organization, User

IMPORTED = ImportBatch.Status.IMPORTED


def agency_for(user: User) -> Organization:
    """The viewer's agency; 404 for anyone who is no agency's officer."""
    agency = agency_of(user)
    if agency is None:
        raise Http404
    return agency


def batch_for(user: User, batch_id: int) -> ImportBatch:
    """The batch if the viewer is an officer of the agency that uploaded it; 404 otherwise."""
    agency = agency_for(user)
    batch = (
        ImportBatch.objects.select_related("uploaded_by__profile", "replaces")
        .filter(pk=batch_id, agency=agency)
        .first()
    )
    if batch is None:
        raise Http404
    return batch


def batches_of(agency: Organization, limit: int = 50) -> list[ImportBatch]:
    return list(
        ImportBatch.objects.filter(agency=agency)
        .select_related("uploaded_by__profile")
        .defer("refused", "totals")[:limit]
    )


def registry_summary(agency: Organization) -> dict:
    active = {"agency": agency, "batch__status": IMPORTED}
    by_year = (
        CustomsRecord.objects.filter(**active)
        .values("year")
        .annotate(rows=Count("id"), firms=Count("tax_id", distinct=True), fob_usd=Sum("fob_usd"))
        .order_by("year")
    )
    return {
        "firms": RegistryFirm.objects.filter(agency=agency, is_current=True).count(),
        "participants": PastParticipant.objects.filter(**active).count(),
        "customs_by_year": list(by_year),
    }


def _registry_row(agency: Organization):
    return RegistryFirm.objects.filter(
        agency=agency,
        is_current=True,
        scheme=OuterRef("tax_id_scheme"),
        tax_id=OuterRef("tax_id"),
    )


def linked_organizations(agency: Organization, limit: int = 50) -> list[Organization]:
    """Organizations on the network whose tax id is in the agency's registry, each with the
    agency's confirmation that holds (confirmed_at, confirmed_by_name) or else the last one
    that ended (ended_at, ended_by_name, ending)."""
    row = _registry_row(agency)
    mine = ConfirmedLink.objects.filter(agency=agency, organization=OuterRef("pk"))
    holds = mine.filter(
        ended_at__isnull=True, scheme=OuterRef("tax_id_scheme"), tax_id=OuterRef("tax_id")
    )
    ended = mine.filter(ended_at__isnull=False).order_by("-ended_at", "-id")
    return list(
        Organization.objects.filter(Exists(row), kind=Organization.Kind.FIRM)
        .annotate(
            registry_name=Subquery(row.values("name")[:1]),
            confirmed_at=Subquery(holds.values("confirmed_at")[:1]),
            confirmed_by_name=Subquery(holds.values("confirmed_by__profile__display_name")[:1]),
            ended_at=Subquery(ended.values("ended_at")[:1]),
            ended_by_name=Subquery(ended.values("ended_by__profile__display_name")[:1]),
            ending=Subquery(ended.values("ending")[:1]),
        )
        .order_by("name", "id")[:limit]
    )


def confirmation_trail(agency: Organization, limit: int = 50) -> list[ConfirmedLink]:
    """The agency's confirmations, newest first, with who ended them and why."""
    return list(
        ConfirmedLink.objects.filter(agency=agency).select_related(
            "organization", "confirmed_by__profile", "ended_by__profile"
        )[:limit]
    )


def link_trail(agency: Organization, limit: int = 50) -> list[TaxIdLink]:
    """Tax ids set or changed on the network that match a firm in the agency's registry."""
    mine = RegistryFirm.objects.filter(
        agency=agency, is_current=True, scheme=OuterRef("scheme"), tax_id=OuterRef("tax_id")
    )
    return list(
        TaxIdLink.objects.filter(Exists(mine)).select_related("organization", "by__profile")[
            :limit
        ]
    )
