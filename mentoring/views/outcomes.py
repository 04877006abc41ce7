"""Goals and milestones of a pairing, a firm's export records, and cohort outcomes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pagination import keyset_page
from core.views import attempt
from mentoring.forms import AdoptGoalForm, ExportRecordForm, GoalForm, MilestoneForm
from mentoring.models import ExportRecord, Goal, GoalTemplate
from mentoring.selectors import goals, outcomes, pairings
from mentoring.services import exports as export_services
from mentoring.services import goals as goal_services
from network import selectors as network_selectors
from network.models import Membership

# The firms' table pages by name; the totals above it always cover the whole cohort.
FIRMS_PER_PAGE = 50
# A firm's own records, latest first; its outcomes above them still count every record.
RECORDS_SHOWN = 200
# Who reads a cluster's outcomes: those who run it and the agencies observing it.
READS_OUTCOMES = (Membership.Role.COORDINATOR, Membership.Role.OBSERVER)


@login_required
@require_POST
def goal_add(request, pairing_id):
    pairing = pairings.pairing_for(request.user, pairing_id)
    form = GoalForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(pairing)
    added = attempt(
        request, goal_services.add_goal, pairing=pairing, by=request.user, **form.cleaned_data
    )
    if added and added.value.status == Goal.Status.MET:
        messages.success(request, _("Goal added, and already met by your export records."))
    elif added:
        messages.success(request, _("Goal added."))
    return redirect(pairing)


@login_required
def adopt_goal(request, template_id):
    """A goal template the diagnostic suggested, adopted into one of the follower's pairings."""
    template = get_object_or_404(GoalTemplate, pk=template_id)
    active = pairings.active_pairings_as_follower(request.user)
    form = AdoptGoalForm(request.POST or None, pairings=active)
    if request.method == "POST" and form.is_valid():
        pairing = next(p for p in active if p.pk == form.cleaned_data["pairing"])
        adopted = attempt(
            request,
            goal_services.adopt_template,
            form=form,
            template=template,
            pairing=pairing,
            by=request.user,
            year=form.cleaned_data["year"],
        )
        if adopted:
            messages.success(request, _("Goal added."))
            return redirect(pairing)
    return render(
        request,
        "mentoring/adopt_goal.html",
        {"template": template, "form": form, "pairings": active},
    )


@login_required
@require_POST
def goal_status(request, goal_id):
    goal = goals.goal_for(request.user, goal_id)
    status = request.POST.get("status", "")
    if attempt(request, goal_services.set_goal_status, goal=goal, by=request.user, status=status):
        messages.success(request, _("Goal updated."))
    return redirect(goal.pairing)


@login_required
@require_POST
def milestone_add(request, goal_id):
    goal = goals.goal_for(request.user, goal_id)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the milestone a title."))
    elif attempt(
        request, goal_services.add_milestone, goal=goal, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("Milestone added."))
    return redirect(goal.pairing)


@login_required
@require_POST
def milestone_toggle(request, milestone_id):
    milestone = goals.milestone_for(request.user, milestone_id)
    attempt(request, goal_services.toggle_milestone, milestone=milestone, by=request.user)
    return redirect(milestone.goal.pairing)


@login_required
def my_exports(request):
    organization = request.user.profile.organization
    if organization is None:
        messages.info(request, _("Add your firm first; its exports are recorded on it."))
        return redirect("organization_edit")
    form = ExportRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        recorded = attempt(
            request,
            export_services.record_export,
            form=form,
            organization=organization,
            by=request.user,
            **form.cleaned_data,
        )
        if recorded:
            messages.success(request, _("Export recorded."))
            return redirect("mentoring:exports")
    year = timezone.now().year
    records = list(outcomes.export_records(organization)[: RECORDS_SHOWN + 1])
    result = outcomes.firm_outcomes([organization], as_of=year)[organization.pk]
    return render(
        request,
        "mentoring/exports.html",
        {
            "organization": organization,
            "form": form,
            "records": records[:RECORDS_SHOWN],
            "more_records": len(records) > RECORDS_SHOWN,
            "records_shown": RECORDS_SHOWN,
            "outcome": result,
        },
    )


@login_required
@require_POST
def export_delete(request, record_id):
    record = get_object_or_404(ExportRecord.objects.select_related("organization"), pk=record_id)
    if request.user.profile.organization_id != record.organization_id:
        raise Http404
    if attempt(request, export_services.delete_export, record=record, by=request.user):
        messages.success(request, _("Record deleted."))
    return redirect("mentoring:exports")


@login_required
def cluster_outcomes(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    reader = (
        Membership.objects.active()
        .of(request.user)
        .in_cluster(cluster)
        .filter(role__in=READS_OUTCOMES)
        .exists()
    )
    if not reader:
        raise Http404
    year = timezone.now().year
    firms = outcomes.mentored_firms(cluster)
    page = keyset_page(
        firms, ordering=("name", "id"), after=request.GET.get("after"), per_page=FIRMS_PER_PAGE
    )
    per_firm = outcomes.firm_outcomes(page.items, as_of=year)
    return render(
        request,
        "mentoring/outcomes.html",
        {
            "cluster": cluster,
            "page": page,
            "rows": [(firm, per_firm[firm.pk]) for firm in page.items],
            "total": outcomes.cohort_of(firms, as_of=year),
            "per_page": FIRMS_PER_PAGE,
            "year": year,
        },
    )
