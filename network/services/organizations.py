"""A person's organization: the firm (or agency) they belong to, what it exports and where."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from core import hs
from core.errors import DomainError, NotAllowed
from core.text import clean_text
from network import taxids
from network.models import ExportMarket, ExportProduct, Organization, Profile
from network.signals import organization_tax_id_changed


def _check_may_save(*, profile: Profile, organization: Organization | None, kind: str) -> None:
    if organization is not None and profile.organization_id != organization.pk:
        raise NotAllowed(gettext_lazy("You can only edit your own organization."))
    # Belonging to an agency makes a person its officer, with power over its programmes'
    # money: the network's staff register agencies; nobody turns a firm into one or back.
    current = organization.kind if organization is not None else Organization.Kind.FIRM
    if kind != current and Organization.Kind.AGENCY in (kind, current):
        raise NotAllowed(
            gettext_lazy("Export-promotion agencies are registered by the network's staff.")
        )


def _clean_trade(
    *, exported_codes: Iterable[str], planned_codes: Iterable[str], markets: Iterable[str]
) -> tuple[set[str], set[str], set[str]]:
    """The HS codes exported and planned, and the markets, as stored; or refused."""
    # Country codes are stored upper case, so "co" and "CO" are one market (one row per
    # country); unknown codes are refused here.
    markets = {code.upper() for code in markets}
    if not markets <= set(dict(countries)):
        raise DomainError(gettext_lazy("Choose markets from the list."))
    exported, planned = set(exported_codes), set(planned_codes)
    # The form checks codes too; this holds for every caller (the field holds 4 digits).
    unknown = sorted(code for code in exported | planned if not hs.is_code(code))
    if unknown:
        raise DomainError(
            _("Not HS chapters (2 digits) or headings (4 digits): %(codes)s.")
            % {"codes": ", ".join(unknown)}
        )
    overlap = exported & planned
    if overlap:
        raise DomainError(
            _("%(codes)s cannot be both exported and planned.")
            % {"codes": ", ".join(sorted(overlap))}
        )
    return exported, planned, markets


def _set_tax_id(organization: Organization, scheme: str, value: str) -> None:
    """Validated by the scheme's check digits and unique on the network, or refused."""
    if not value.strip():
        organization.tax_id_scheme, organization.tax_id = "", ""
        return
    try:
        scheme = taxids.parse_scheme(scheme)
        compact = taxids.normalise(scheme=scheme, value=value)
    except taxids.InvalidTaxId as error:
        raise DomainError(error.message) from None
    taken = Organization.objects.filter(tax_id_scheme=scheme, tax_id=compact)
    if organization.pk is not None:
        taken = taken.exclude(pk=organization.pk)
    if taken.exists():
        raise DomainError(gettext_lazy("Another organization on the network has this tax id."))
    organization.tax_id_scheme, organization.tax_id = scheme, compact


def _tax_id_on_record(organization: Organization) -> tuple[str, str] | None:
    return (organization.tax_id_scheme, organization.tax_id) if organization.tax_id else None


def _replace_trade(
    organization: Organization, *, exported: set[str], planned: set[str], markets: set[str]
) -> None:
    """What the organization exports, plans to export, and where: replaced as a whole."""
    Status = ExportProduct.Status
    organization.products.all().delete()
    ExportProduct.objects.bulk_create(
        [
            ExportProduct(organization=organization, hs_code=code, status=Status.EXPORTS)
            for code in sorted(exported)
        ]
        + [
            ExportProduct(organization=organization, hs_code=code, status=Status.PLANNED)
            for code in sorted(planned)
        ]
    )
    organization.markets.all().delete()
    ExportMarket.objects.bulk_create(
        [ExportMarket(organization=organization, country=code) for code in sorted(markets)]
    )


@transaction.atomic
def save_organization(
    *,
    profile: Profile,
    organization: Organization | None = None,
    name: str,
    kind: str,
    country: str,
    size: str = "",
    sector: str = "",
    first_export_year: int | None = None,
    website: str = "",
    exported_codes: Iterable[str] = (),
    planned_codes: Iterable[str] = (),
    markets: Iterable[str] = (),
    tax_id_scheme: str | None = None,
    tax_id: str | None = None,
) -> Organization:
    """Create the person's organization or update the one they belong to.

    A tax id of None leaves the one on record as it is; an empty one clears it.
    """
    name = clean_text(name, model=Organization, field="name", error=DomainError)
    website = clean_text(website, model=Organization, field="website", error=DomainError)
    _check_may_save(profile=profile, organization=organization, kind=kind)
    exported, planned, markets = _clean_trade(
        exported_codes=exported_codes, planned_codes=planned_codes, markets=markets
    )
    organization = organization or Organization()
    before = _tax_id_on_record(organization)
    if tax_id is not None:
        _set_tax_id(organization, tax_id_scheme or "", tax_id)
    organization.name, organization.kind, organization.country = name, kind, country
    organization.size, organization.sector = size, sector
    organization.first_export_year, organization.website = first_export_year, website
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        raise DomainError(gettext_lazy("The first export year is not plausible.")) from None
    _replace_trade(organization, exported=exported, planned=planned, markets=markets)
    if profile.organization_id != organization.pk:
        profile.organization = organization
        profile.save(update_fields=["organization"])
    if _tax_id_on_record(organization) != before:
        organization_tax_id_changed.send(
            sender=Organization, organization=organization, by=profile.user, before=before
        )
    return organization
