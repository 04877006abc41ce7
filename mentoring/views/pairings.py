"""The mentoring hub, offers and needs, suggestions, requests, pairings and cohort matching."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mentoring import matching, scoring, selectors, services, sessions
from mentoring.forms import NeedsForm, OfferForm, ReasonForm, RequestForm, parse_id
from mentoring.models import MentoringNeeds, Pairing
from mentoring.services import MentoringError
from network import selectors as network_selectors


@login_required
def home(request):
    user = request.user
    pairings = list(selectors.my_pairings(user))
    needs = MentoringNeeds.objects.filter(user=user).first()
    suggestions = matching.suggest_mentors(follower=user) if needs else []
    offers = selectors.offers_of(user)
    return render(
        request,
        "mentoring/home.html",
        {
            "needs": needs,
            "in_a_cluster": bool(matching.active_cluster_ids(user)),
            "suggestions": [(s, scoring.describe_all(s.match.reasons)) for s in suggestions],
            "waiting": selectors.waiting_for(user, pairings),
            "pairings": [p for p in pairings if p.status == Pairing.Status.ACTIVE],
            "pending": [p for p in pairings if p.status != Pairing.Status.ACTIVE],
            "past": selectors.past_pairings(user),
            "mentor_offers": [
                (membership, offers.get(membership.cluster_id))
                for membership in selectors.mentor_clusters(user)
            ],
            "upcoming": selectors.upcoming_sessions(user),
            "to_confirm": list(sessions.awaiting_confirmation(user)[:10]),
        },
    )


@login_required
def needs_edit(request):
    needs = MentoringNeeds.objects.filter(user=request.user).first()
    profile = request.user.profile
    initial = {"languages": profile.languages}
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
        services.save_needs(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your needs are saved. Here are the mentors who fit them."))
        return redirect("mentoring:home")
    return render(request, "mentoring/needs_form.html", {"form": form})


@login_required
def offer_edit(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    offer = selectors.offers_of(request.user).get(cluster.pk)
    if offer:
        initial = {
            "capacity": offer.capacity,
            "products": ", ".join(offer.products),
            "markets": [str(code) for code in offer.markets],
            "languages": offer.languages,
            "topics": ", ".join(tag.name for tag in offer.topics.all()),
            "pitch": offer.pitch,
            "accepts_competitors": offer.accepts_competitors,
            "is_paused": offer.is_paused,
        }
    else:
        initial = _offer_defaults(request.user)
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_offer(user=request.user, cluster=cluster, **form.cleaned_data)
        except MentoringError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Your mentoring offer in %(cluster)s is saved.") % {"cluster": cluster.name},
            )
            return redirect("mentoring:home")
    return render(
        request, "mentoring/offer_form.html", {"form": form, "cluster": cluster, "offer": offer}
    )


def _offer_defaults(user) -> dict:
    """A new offer starts from what the mentor's firm already exports."""
    profile = user.profile
    organization = profile.organization
    initial = {"languages": profile.languages, "capacity": 2}
    if organization:
        initial["products"] = ", ".join(
            p.hs_code for p in organization.products.filter(status="exports")
        )
        initial["markets"] = [str(m.country) for m in organization.markets.all()]
    initial["topics"] = ", ".join(tag.name for tag in profile.expertise.all())
    return initial


@login_required
def request_mentor(request, offer_id):
    offer = selectors.offer_for_request(request.user, offer_id)
    match, excluded = matching.match_for(offer=offer, follower=request.user)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pairing = services.request_mentor(
                follower=request.user, offer=offer, message=form.cleaned_data["message"]
            )
        except MentoringError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Your request was sent to %(name)s. You will hear back here and by email.")
                % {"name": offer.user.profile.display_name},
            )
            return redirect(pairing)
    return render(
        request,
        "mentoring/request_form.html",
        {
            "offer": offer,
            "form": form,
            "reasons": scoring.describe_all(match.reasons),
            "excluded": excluded,
            "is_member": network_selectors.membership_of(request.user, offer.cluster) is not None,
        },
    )


@login_required
def pairing_detail(request, pairing_id):
    from mentoring.forms import GoalForm, MilestoneForm

    pairing = selectors.pairing_for(request.user, pairing_id)
    return render(
        request,
        "mentoring/pairing.html",
        {
            "pairing": pairing,
            "needs": MentoringNeeds.objects.filter(user=pairing.follower_id).first(),
            "reasons": scoring.describe_all(pairing.reasons),
            "goals": selectors.goals_of(pairing),
            "sessions": list(pairing.sessions.order_by("-starts_at")[:20]),
            "needs_my_answer": bool(selectors.waiting_for(request.user, [pairing])),
            "is_party": pairing.involves(request.user),
            "goal_form": GoalForm(),
            "milestone_form": MilestoneForm(),
            "reason_form": ReasonForm(),
        },
    )


PAIRING_ACTIONS = {
    "accept": lambda pairing, user, reason: services.accept_pairing(pairing=pairing, by=user),
    "decline": lambda pairing, user, reason: services.decline_pairing(
        pairing=pairing, by=user, reason=reason
    ),
    "end": lambda pairing, user, reason: services.end_pairing(
        pairing=pairing, by=user, reason=reason
    ),
    "complete": lambda pairing, user, reason: services.end_pairing(
        pairing=pairing, by=user, reason=reason, completed=True
    ),
}
DONE = {
    "accept": _("Accepted."),
    "decline": _("Declined."),
    "end": _("The pairing has ended."),
    "complete": _("The pairing is completed. Thank you for mentoring!"),
}


@login_required
@require_POST
def pairing_action(request, pairing_id, action):
    pairing = selectors.pairing_for(request.user, pairing_id)
    if action not in PAIRING_ACTIONS:
        raise Http404
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        PAIRING_ACTIONS[action](pairing, request.user, reason)
    except MentoringError as error:
        messages.error(request, error.message)
    else:
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
    if not services.is_coordinator(request.user, cluster):
        raise Http404
    if request.method == "POST":
        choices = {
            follower_id: parse_id(value)
            for key, value in request.POST.items()
            if key.startswith("follower-")
            and (follower_id := parse_id(key.removeprefix("follower-"))) is not None
        }
        if "publish" in request.POST:
            try:
                created = services.publish_cohort(
                    cluster=cluster, by=request.user, choices=choices
                )
            except MentoringError as error:
                messages.error(request, error.message)
            else:
                _tell_proposed(request, len(created))
                return redirect("mentoring:cohort", slug=cluster.slug)
        draft = matching.cohort_with_choices(cluster, choices)
    else:
        draft = matching.draft_cohort(cluster)
    optimum = matching.draft_cohort(cluster).total if request.method == "POST" else draft.total
    rows = [
        {
            "pair": pair,
            "reasons": scoring.describe_all(pair.match.reasons) if pair.match else [],
            "options": draft.options_for(pair.follower),
        }
        for pair in draft.pairs
    ]
    return render(
        request,
        "mentoring/cohort.html",
        {
            "cluster": cluster,
            "draft": draft,
            "rows": rows,
            "optimum": optimum,
            "follower_limit": matching.COHORT_FOLLOWERS,
            "mentor_limit": matching.COHORT_MENTORS,
        },
    )
