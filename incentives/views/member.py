"""Members' credits, confirmations and statements; coordinators' review queue."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import attempt
from incentives import gaming_flags, selectors, services
from incentives.forms import ReasonForm
from incentives.models import Contribution
from network import selectors as network_selectors


@login_required
def my_credits(request):
    return render(
        request,
        "incentives/my_credits.html",
        {
            "accounts": selectors.accounts_with_months(request.user),
            "contributions": selectors.my_contributions(request.user),
            "to_confirm": selectors.to_confirm_by(request.user),
        },
    )


@login_required
@require_POST
def confirm(request, contribution_id):
    contribution = get_object_or_404(Contribution, pk=contribution_id, counterpart=request.user)
    if attempt(request, services.confirm_contribution, contribution=contribution, by=request.user):
        messages.success(request, _("Thank you: your confirmation is recorded."))
    return redirect("incentives:my_credits")


@login_required
def statement(request, programme_id, year, month):
    account = selectors.member_account(programme_id, request.user.pk)
    if account is None or not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    period = datetime.date(year, month, 1)
    return render(
        request,
        "incentives/statement.html",
        {"statement": selectors.statement(account.programme, request.user, period)},
    )


def _coordinated_cluster(request, slug):
    """The cluster, if the viewer coordinates it; 404 for everyone else."""
    cluster = network_selectors.cluster_for(request.user, slug)
    if not network_selectors.is_coordinator(user=request.user, cluster=cluster):
        raise Http404
    return cluster


@login_required
def review_queue(request, slug):
    cluster = _coordinated_cluster(request, slug)
    queue = selectors.review_queue(cluster)
    return render(
        request,
        "incentives/review_queue.html",
        {
            "cluster": cluster,
            "queue": [(c, [gaming_flags.explain(f) for f in c.flags]) for c in queue],
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def review_decision(request, slug, contribution_id, decision):
    cluster = _coordinated_cluster(request, slug)
    if decision not in ("approve", "reject"):
        raise Http404
    contribution = get_object_or_404(Contribution, pk=contribution_id, cluster=cluster)
    if decision == "approve":
        if attempt(
            request, services.approve_contribution, contribution=contribution, by=request.user
        ):
            contribution.refresh_from_db()
            messages.success(
                request,
                _("Decided: %(status)s.") % {"status": contribution.get_status_display()},
            )
        return redirect("incentives:review_queue", slug=cluster.slug)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Say why it is not credited, in at most 300 characters; the member sees it."),
        )
    elif attempt(
        request,
        services.reject_contribution,
        contribution=contribution,
        by=request.user,
        reason=form.cleaned_data["reason"],
    ):
        messages.success(request, _("Not credited; the member sees your reason."))
    return redirect("incentives:review_queue", slug=cluster.slug)
