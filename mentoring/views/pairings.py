"""The mentoring hub, offers and needs, suggestions, requests, pairings and cohort matching."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core import memo
from core.views import attempt
from mentoring import matching, scoring
from mentoring.forms import (
    GoalForm,
    MilestoneForm,
    NeedsForm,
    OfferForm,
    ReasonForm,
    RequestForm,
    cohort_formset,
)
from mentoring.models import Pairing
from mentoring.selectors import cohorts, goals, offers, pairings, sessions
from mentoring.selectors.matching import active_cluster_ids, match_for
from mentoring.services import cohorts as cohort_services
from mentoring.services import invitations as invitation_services
from mentoring.services import offers as offer_services
from mentoring.services import pairings as pairing_services
from mentoring.services.suggestions import reserve_suggestions
from network import selectors as network_selectors
from readiness import selectors as readiness


@login_required
def home(request):
    # Suggestions, the clusters joined and where to offer all ask for the memberships: once.
    with memo.page_scope():
        return _home(request)


def _home(request):
    user = request.user
    mine = list(pairings.my_pairings(user))
    needs = offers.needs_with_readiness_of(user)
    # Showing a mentor holds one of their places for this follower (services.suggestions).
    suggestions = reserve_suggestions(follower=user) if needs else []
    offered = offers.offers_of(user)
    return render(
        request,
        "mentoring/home.html",
        {
            "needs": needs,
            "in_a_cluster": bool(active_cluster_ids(user)),
            "suggestions": [
                (s, scoring.describe_all(s.match.reasons, to_follower=True)) for s in suggestions
            ],
            "waiting": pairings.waiting_for(user, mine),
            "pairings": [p for p in mine if p.status == Pairing.Status.ACTIVE],
            "pending": [p for p in mine if p.status != Pairing.Status.ACTIVE],
            "past": pairings.past_pairings(user),
            "mentor_offers": [
                (membership, offered.get(membership.cluster_id))
                for membership in network_selectors.active_memberships_of(user)
                if membership.role in offers.OFFERING_ROLES
            ],
            "upcoming": sessions.upcoming_sessions(user),
            "to_confirm": sessions.sessions_to_confirm(user),
            "invitation": _pending_invitation(user),
        },
    )


def _pending_invitation(user):
    invitation = offers.invitation_of(user)
    return invitation if invitation is not None and invitation.is_pending else None


@login_required
@require_POST
def invitation_decline(request):
    invitation = offers.invitation_of(request.user)
    if invitation is None:
        raise Http404
    if attempt(
        request, invitation_services.decline_invitation, invitation=invitation, by=request.user
    ):
        messages.success(
            request, _("You declined the invitation to mentor. It will not be sent again.")
        )
    return redirect("mentoring:home")


@login_required
def needs_edit(request):
    needs = offers.needs_of(request.user)
    initial = {"languages": request.user.profile.languages}
    if needs:
        initial = {
            "stage": needs.stage,
            "products": ", ".join(needs.products),
            "markets": [str(code) for code in needs.markets],
            "languages": needs.languages,
            "topics": ", ".join(tag.name for tag in needs.topics.all()),
            "note": needs.note,
        }
    form = NeedsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request, offer_services.save_needs, form=form, user=request.user, **form.cleaned_data
        )
        if saved:
            messages.success(
                request, _("Your needs are saved. Here are the mentors who fit them.")
            )
            return redirect("mentoring:home")
    return render(request, "mentoring/needs_form.html", {"form": form})


@login_required
def offer_edit(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    offer = offers.offers_of(request.user).get(cluster.pk)
    if offer:
        initial = {
            "capacity": offer.capacity,
            "products": ", ".join(offer.products),
            "markets": [str(code) for code in offer.markets],
            "languages": offer.languages,
            "topics": ", ".join(tag.name for tag in offer.topics.all()),
            "pitch": offer.pitch,
            "strengths": offer.strengths,
            "accepts_competitors": offer.accepts_competitors,
            "is_paused": offer.is_paused,
        }
    else:
        initial = offers.offer_defaults(request.user)
        invitation = offers.invitation_of(request.user)
        if invitation is not None and invitation.cluster_id == cluster.pk:
            # Invited because their firm exports now: start from what it exported.
            initial.update(offers.invitation_defaults(invitation))
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            request,
            offer_services.save_offer,
            form=form,
            user=request.user,
            cluster=cluster,
            **form.cleaned_data,
        )
        if saved:
            messages.success(
                request,
                _("Your mentoring offer in %(cluster)s is saved.") % {"cluster": cluster.name},
            )
            return redirect("mentoring:home")
    return render(
        request, "mentoring/offer_form.html", {"form": form, "cluster": cluster, "offer": offer}
    )


@login_required
def request_mentor(request, offer_id):
    offer = offers.offer_for_request(request.user, offer_id)
    match, excluded = match_for(offer=offer, follower=request.user)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        requested = attempt(
            request,
            pairing_services.request_mentor,
            follower=request.user,
            offer=offer,
            message=form.cleaned_data["message"],
        )
        if requested:
            messages.success(
                request,
                _("Your request was sent to %(name)s. You will hear back here and by email.")
                % {"name": offer.user.profile.display_name},
            )
            return redirect(requested.value)
    return render(
        request,
        "mentoring/request_form.html",
        {
            "offer": offer,
            "form": form,
            "reasons": scoring.describe_all(match.reasons, to_follower=True),
            "excluded": excluded,
            "is_member": network_selectors.membership_of(request.user, offer.cluster) is not None,
        },
    )


@login_required
def pairing_detail(request, pairing_id):
    pairing = pairings.pairing_for(request.user, pairing_id)
    is_party = pairing.involves(request.user)
    return render(
        request,
        "mentoring/pairing.html",
        {
            "pairing": pairing,
            "needs": offers.needs_of(pairing.follower_id),
            "reasons": scoring.describe_all(
                pairing.reasons, to_follower=pairing.follower_id == request.user.pk
            ),
            # The mentor of an active pairing reads the firm's diagnostic while it is shared.
            "diagnostic": readiness.shared_with_mentor(
                viewer=request.user, follower=pairing.follower
            )
            if pairing.is_active and pairing.mentor_id == request.user.pk
            else None,
            "goals": goals.goals_of(pairing),
            "sessions": sessions.sessions_of_pairing(pairing),
            # What the viewer may do here, decided once (the services hold the same rules).
            "needs_my_answer": bool(pairings.waiting_for(request.user, [pairing])),
            "can_withdraw": pairing.status == Pairing.Status.REQUESTED
            and pairing.follower_id == request.user.pk,
            "can_schedule": is_party and pairing.is_active,
            "goal_form": GoalForm(),
            "milestone_form": MilestoneForm(),
            "reason_form": ReasonForm(),
        },
    )


PAIRING_ACTIONS = {
    "accept": lambda *, pairing, by, reason: pairing_services.accept_pairing(
        pairing=pairing, by=by
    ),
    "decline": pairing_services.decline_pairing,
    "end": pairing_services.end_pairing,
    "complete": lambda *, pairing, by, reason: pairing_services.end_pairing(
        pairing=pairing, by=by, reason=reason, completed=True
    ),
}
DONE = {
    "accept": gettext_lazy("Accepted."),
    "decline": gettext_lazy("Declined."),
    "end": gettext_lazy("The pairing has ended."),
    "complete": gettext_lazy("The pairing is completed. Thank you for mentoring!"),
}


@login_required
@require_POST
def pairing_action(request, pairing_id, action):
    pairing = pairings.pairing_for(request.user, pairing_id)
    if action not in PAIRING_ACTIONS:
        raise Http404
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if attempt(request, PAIRING_ACTIONS[action], pairing=pairing, by=request.user, reason=reason):
        messages.success(request, str(DONE[action]))
    return redirect(pairing)


def _tell_proposed(request, count: int) -> None:
    # Never zero: publish_cohort refuses a draft that pairs nobody.
    messages.success(
        request,
        ngettext(
            "%(count)d pairing proposed. Each mentor and follower is asked to accept.",
            "%(count)d pairings proposed. Each mentor and follower is asked to accept.",
            count,
        )
        % {"count": count},
    )


@login_required
def cohort(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    if not network_selectors.is_coordinator(user=request.user, cluster=cluster):
        raise Http404
    if request.method == "POST":
        choices = cohort_formset(request.POST).choices
        if "publish" in request.POST:
            published = attempt(
                request,
                cohort_services.publish_cohort,
                cluster=cluster,
                by=request.user,
                choices=choices,
            )
            if published:
                _tell_proposed(request, len(published.value))
                return redirect("mentoring:cohort", slug=cluster.slug)
        options = cohorts.cohort_options(cluster)
        draft = matching.pair_as_chosen(dataclasses.replace(options, pairs=[]), choices)
        optimum = matching.pair_best(options).total
    else:
        draft = cohorts.draft_cohort(cluster)
        optimum = draft.total
    rows = [
        {
            "pair": pair,
            # A coordinator: never the reasons drawn from a firm's diagnostic.
            "reasons": scoring.describe_all(pair.match.reasons) if pair.match else [],
            "options": draft.options_for(pair.follower),
        }
        for pair in draft.pairs
    ]
    formset = cohort_formset(
        initial=[
            {"follower": pair.follower.pk, "offer": pair.offer.pk if pair.offer else None}
            for pair in draft.pairs
        ]
    )
    return render(
        request,
        "mentoring/cohort.html",
        {
            "cluster": cluster,
            "draft": draft,
            "formset": formset,
            "rows": list(zip(formset, rows, strict=True)),
            "optimum": optimum,
            "follower_limit": cohorts.COHORT_FOLLOWERS,
            "mentor_limit": cohorts.COHORT_MENTORS,
        },
    )
