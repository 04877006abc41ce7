"""A firm's export records, kept by its own people: the evidence goals are met by and
outcomes are derived from."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import hs
from core.errors import DomainError, NotAllowed
from mentoring.models import ExportRecord, Goal
from mentoring.services.goals import meet_goals
from mentoring.services.invitations import invite_from_records
from network.models import Organization, User


def _may_record(user: User, organization: Organization) -> bool:
    return user.profile.organization_id == organization.pk


@transaction.atomic
def record_export(
    *, organization: Organization, by: User, year: int, hs_code: str, country: str, value_band: str
) -> ExportRecord:
    """A firm's people record what it exported; goals the record meets are marked met."""
    if not _may_record(by, organization):
        raise NotAllowed(gettext_lazy("Only people of this firm can record its exports."))
    if year > timezone.now().year:
        raise DomainError(gettext_lazy("Exports can be recorded for past and current years."))
    if not hs.is_code(hs_code):
        raise DomainError(_("%(code)s is not an HS chapter or heading.") % {"code": hs_code})
    if value_band not in ExportRecord.ValueBand.values:
        raise DomainError(gettext_lazy("Choose a value band."))
    try:
        with transaction.atomic():
            record = ExportRecord.objects.create(
                organization=organization,
                year=year,
                hs_code=hs_code,
                country=country,
                value_band=value_band,
                recorded_by=by,
            )
    except IntegrityError:
        raise DomainError(
            gettext_lazy("This product, market and year is already recorded.")
        ) from None
    meet_goals(organization=organization)
    # A firm exporting again the year after invites its followers to mentor (once each).
    invite_from_records(organization=organization)
    return record


@transaction.atomic
def delete_export(*, record: ExportRecord, by: User) -> None:
    if not _may_record(by, record.organization):
        raise NotAllowed(gettext_lazy("Only people of this firm can change its exports."))
    if Goal.objects.filter(met_by=record).exists():
        raise DomainError(gettext_lazy("A goal was met by this record; it stays as evidence."))
    record.delete()
