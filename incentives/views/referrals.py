"""Referrals between agencies: the agency's list (sent and received), referring a firm, one
referral's page, and the receiving agency's answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import attempt
from incentives import selectors, services
from incentives.forms import DeclineForm, ReferralFilterForm, ReferralForm


def _agency_or_404(request):
    agency = selectors.agency_of(request.user)
    if agency is None:
        raise Http404
    return agency


@login_required
def referrals(request):
    agency = _agency_or_404(request)
    form = ReferralFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if request.GET and form.is_valid() else ""
    return render(
        request,
        "incentives/referrals.html",
        {
            "agency": agency,
            "form": form,
            "state": state,
            "referrals": selectors.agency_referrals(agency, state=state),
        },
    )


@login_required
def referral_new(request):
    agency = _agency_or_404(request)
    form = ReferralForm(
        request.POST or None,
        initial={name: request.GET.get(name, "")[:20] for name in ("firm", "programme")},
        firms=selectors.referable_firms(agency),
        programmes=selectors.referable_programmes(agency),
    )
    if request.method == "POST" and form.is_valid():
        sent = attempt(
            request, services.refer_firm, form=form, by=request.user, **form.cleaned_data
        )
        if sent:
            messages.success(request, _("Referral sent. The other agency and the firm are told."))
            return redirect(sent.value)
    return render(request, "incentives/referral_form.html", {"form": form, "agency": agency})


@login_required
def referral_detail(request, referral_id):
    referral = selectors.referral_for(request.user, referral_id)
    agency = selectors.agency_of(request.user)
    return render(
        request,
        "incentives/referral.html",
        {
            "referral": referral,
            "events": selectors.referral_events(referral),
            "answers": agency.pk == referral.programme.agency_id,
            "decline_form": DeclineForm(),
        },
    )


SUCCESS = {
    "accept": lambda: _("Referral accepted. The referring agency and the firm are told."),
    "decline": lambda: _("Referral declined. The referring agency and the firm are told."),
    "done": lambda: _("Referral marked done."),
}


@login_required
@require_POST
def referral_act(request, referral_id, action):
    referral = selectors.referral_for(request.user, referral_id)
    if action not in SUCCESS:
        raise Http404
    if action == "decline":
        form = DeclineForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The reason can be at most 300 characters long."))
            return redirect(referral)
        done = attempt(
            request,
            services.decline_referral,
            referral=referral,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    else:
        service = services.accept_referral if action == "accept" else services.complete_referral
        done = attempt(request, service, referral=referral, by=request.user)
    if done:
        messages.success(request, SUCCESS[action]())
    return redirect(referral)
