"""Sponsorship pages: a cluster's coordinators and an agency's officers propose and answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import attempt
from network import selectors
from network.forms import SponsorshipRequestForm
from network.models import Sponsorship
from network.services import sponsorships
from network.views import coordinated_cluster

DONE = {
    "accept": lambda s: (
        _("%(agency)s now sponsors %(cluster)s.")
        % {"agency": s.agency.name, "cluster": s.cluster.name}
    ),
    "decline": lambda s: _("Proposal declined."),
    "revoke": lambda s: _("Sponsorship ended.") if s.revoked_at else _("Proposal withdrawn."),
}
ACTIONS = {
    "accept": sponsorships.accept_sponsorship,
    "decline": sponsorships.decline_sponsorship,
    "revoke": sponsorships.revoke_sponsorship,
}


def _answer(request, sponsorship: Sponsorship, action: str, back: str):
    if action not in ACTIONS:
        raise Http404
    answered = attempt(request, ACTIONS[action], sponsorship=sponsorship, by=request.user)
    if answered:
        messages.success(request, DONE[action](answered.value))
    return redirect(back)


# --- The cluster's side ----------------------------------------------------------------


def _manage_url(cluster) -> str:
    return reverse("cluster_manage", args=[cluster.slug]) + "#sponsorship"


@require_POST
def sponsorship_request(request, slug):
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    form = SponsorshipRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an export-promotion agency from the list."))
        return redirect(_manage_url(cluster))
    agency = form.cleaned_data["agency"]
    if attempt(
        request, sponsorships.request_sponsorship, cluster=cluster, agency=agency, by=request.user
    ):
        messages.success(
            request,
            _("Request sent. The officers of %(agency)s will answer.") % {"agency": agency.name},
        )
    return redirect(_manage_url(cluster))


@require_POST
def sponsorship_answer(request, slug, sponsorship_id, action):
    """A coordinator accepts or declines an offer, withdraws a request, or ends a sponsorship."""
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    sponsorship = get_object_or_404(Sponsorship, pk=sponsorship_id, cluster=cluster)
    return _answer(request, sponsorship, action, _manage_url(cluster))


# --- The agency's side -----------------------------------------------------------------


def _agency_or_404(request):
    agency = selectors.agency_of(request.user)
    if agency is None:
        raise Http404
    return agency


@login_required
def agency_sponsorships(request):
    agency = _agency_or_404(request)
    q = request.GET.get("q", "")[:100]
    return render(
        request,
        "network/agency_sponsorships.html",
        {
            "agency": agency,
            "q": q,
            "found": selectors.clusters_to_invite(viewer=request.user, agency=agency, q=q),
            **selectors.agency_sponsorships(agency, after=request.GET.get("after")),
        },
    )


@login_required
@require_POST
def sponsorship_offer(request, slug):
    _agency_or_404(request)
    cluster = selectors.cluster_for(request.user, slug)
    if attempt(request, sponsorships.offer_sponsorship, cluster=cluster, by=request.user):
        messages.success(
            request,
            _("Offer sent. The coordinators of %(cluster)s will answer.")
            % {"cluster": cluster.name},
        )
    return redirect("agency_sponsorships")


@login_required
@require_POST
def agency_sponsorship_answer(request, sponsorship_id, action):
    """An officer accepts or declines a request, withdraws an offer, or ends a sponsorship."""
    agency = _agency_or_404(request)
    sponsorship = get_object_or_404(Sponsorship, pk=sponsorship_id, agency=agency)
    return _answer(request, sponsorship, action, reverse("agency_sponsorships"))
