"""What the evidence app hears from below: organizations taking a tax id."""

from django.dispatch import receiver

from evidence import links
from evidence.models import TaxIdLink
from network.signals import organization_tax_id_changed


@receiver(organization_tax_id_changed, dispatch_uid="evidence.trail_tax_id")
def trail_tax_id(sender, organization, by, before, **kwargs):
    # The trail an agency reads to see when a firm on the network matched its registry row.
    TaxIdLink.objects.create(
        organization=organization,
        scheme=organization.tax_id_scheme,
        tax_id=organization.tax_id,
        previous=" ".join(before) if before else "",
        by=by,
    )
    # A confirmation vouched for the old tax id only: the new one is a claim until confirmed.
    links.end_on_tax_id_change(organization=organization, by=by)
