"""Confirming that an organization on the network is the registry firm whose tax id it entered.

A typed tax id is only a claim: a competitor could type another firm's. Its records reach the
organization's people once an officer of the agency whose registry holds the firm confirms the
link, and only while the organization keeps that tax id (changing it ends the confirmation).
"""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, NotAllowed
from evidence.models import ConfirmedLink, RegistryFirm
from incentives.selectors import agency_of
from network.models import Organization, User

Ending = ConfirmedLink.Ending


def _in_registry(agency: Organization, organization: Organization) -> bool:
    return (
        bool(organization.tax_id)
        and RegistryFirm.objects.filter(
            agency=agency,
            is_current=True,
            scheme=organization.tax_id_scheme,
            tax_id=organization.tax_id,
        ).exists()
    )


def linked_to(agency: Organization, organization_id: int) -> Organization:
    """The organization whose tax id is in the agency's registry; 404 for any other."""
    organization = Organization.objects.filter(
        pk=organization_id, kind=Organization.Kind.FIRM
    ).first()
    if organization is None or not _in_registry(agency, organization):
        raise Http404
    return organization


def standing(organization: Organization) -> QuerySet[ConfirmedLink]:
    """Confirmations that hold now: not ended, and for the tax id the organization has."""
    if not organization.tax_id:
        return ConfirmedLink.objects.none()
    return ConfirmedLink.objects.filter(
        organization=organization,
        ended_at__isnull=True,
        scheme=organization.tax_id_scheme,
        tax_id=organization.tax_id,
    )


def _officer_of_registry(officer: User, organization: Organization) -> Organization:
    agency = agency_of(officer)
    if agency is None or not _in_registry(agency, organization):
        raise NotAllowed(
            _("Only an officer of the agency whose registry holds this firm can do this.")
        )
    return agency


def _end(link: ConfirmedLink, *, by: User | None, ending: str) -> None:
    link.ended_at, link.ended_by, link.ending = timezone.now(), by, ending
    link.save(update_fields=["ended_at", "ended_by", "ending"])


@transaction.atomic
def confirm_link(*, officer: User, organization: Organization) -> ConfirmedLink:
    """The officer's agency confirms the organization as its registry firm; again is a no-op."""
    # Locked, so that a tax id changed meanwhile cannot slip under the confirmation.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    agency = _officer_of_registry(officer, organization)
    held = (
        ConfirmedLink.objects.select_for_update()
        .filter(agency=agency, organization=organization, ended_at__isnull=True)
        .first()
    )
    if held is not None:
        if (held.scheme, held.tax_id) == (organization.tax_id_scheme, organization.tax_id):
            return held
        _end(held, by=None, ending=Ending.TAX_ID_CHANGED)
    return ConfirmedLink.objects.create(
        agency=agency,
        organization=organization,
        scheme=organization.tax_id_scheme,
        tax_id=organization.tax_id,
        confirmed_by=officer,
    )


@transaction.atomic
def withdraw_link(*, officer: User, organization: Organization) -> ConfirmedLink:
    """The officer's agency takes its confirmation back: the organization's people no longer
    see its records."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    agency = _officer_of_registry(officer, organization)
    held = (
        ConfirmedLink.objects.select_for_update()
        .filter(agency=agency, organization=organization, ended_at__isnull=True)
        .first()
    )
    if held is None:
        raise DomainError(_("This organization is not confirmed: there is nothing to withdraw."))
    _end(held, by=officer, ending=Ending.WITHDRAWN)
    return held


def end_on_tax_id_change(*, organization: Organization, by: User | None) -> int:
    """A new tax id is a new claim: every confirmation of another one ends."""
    ended = ConfirmedLink.objects.filter(organization=organization, ended_at__isnull=True).exclude(
        Q(scheme=organization.tax_id_scheme, tax_id=organization.tax_id) & ~Q(tax_id="")
    )
    return ended.update(ended_at=timezone.now(), ended_by=by, ending=Ending.TAX_ID_CHANGED)
