"""Confirming that a firm on the network is the registry firm it claims to be, and the firm's
own page of the records its agencies hold of it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import attempt
from evidence import links, own_records, selectors


def _back_to_links():
    return redirect(reverse("evidence:imports") + "#linked-heading")


@login_required
@require_POST
def confirm_link(request, organization_id):
    organization = links.linked_to(selectors.agency_for(request.user), organization_id)
    if attempt(request, links.confirm_link, officer=request.user, organization=organization):
        messages.success(
            request,
            _("%(name)s confirmed: its people now see your customs records of it.")
            % {"name": organization.name},
        )
    return _back_to_links()


@login_required
@require_POST
def withdraw_link(request, organization_id):
    organization = links.linked_to(selectors.agency_for(request.user), organization_id)
    if attempt(request, links.withdraw_link, officer=request.user, organization=organization):
        messages.success(
            request,
            _("Confirmation of %(name)s withdrawn: its people no longer see your records.")
            % {"name": organization.name},
        )
    return _back_to_links()


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) == 4 else None


@login_required
def own_records_page(request, organization_id):
    organization, confirmed, is_own = own_records.viewable(request.user, organization_id)
    held = own_records.holders(
        organization,
        confirmed,
        year=_year(request.GET.get("year", "")),
        with_reports=is_own,
    )
    context = {"organization": organization, "holders": held, "is_own": is_own}
    return render(request, "evidence/own_records.html", context)
