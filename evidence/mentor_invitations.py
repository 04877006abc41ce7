"""Customs records that show a linked firm exporting two years running invite its followers
to mentor (mentoring.services.invitations decides who and sends it, once per person).

Only firms whose link to the registry an officer confirmed, for the tax id they still hold:
the same records their own people may already see (own_records), nothing else leaves the
agency. Run daily (`invite_exporters_to_mentor`), after imports are written.
"""

from django.db.models import F

from evidence.models import ConfirmedLink, CustomsRecord
from mentoring.services.invitations import Source, invite_exporter


def invite_from_customs() -> int:
    """Check every confirmed firm against its customs records; returns invitations sent."""
    links = (
        ConfirmedLink.objects.filter(
            ended_at__isnull=True,
            organization__tax_id_scheme=F("scheme"),
            organization__tax_id=F("tax_id"),
            # Nobody left to invite: the check would find nobody anyway.
            organization__people__user__mentor_invitation__isnull=True,
        )
        .select_related("organization")
        .distinct()
        .order_by("organization_id", "agency_id")
    )
    sent = 0
    for link in links:
        rows = (
            CustomsRecord.objects.filter(
                agency_id=link.agency_id, scheme=link.scheme, tax_id=link.tax_id
            )
            .values_list("year", "hs6", "destination")
            .distinct()
        )
        exports = [
            (year, hs6[:4], destination) for year, hs6, destination in rows if len(hs6) >= 4
        ]
        sent += len(
            invite_exporter(
                organization=link.organization, exports=exports, source=Source.IMPORTED
            )
        )
    return sent
