"""Agency officers: their programmes, dashboards, rules, approvals, payouts and API keys."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import attempt
from incentives import charts, selectors, services
from incentives.forms import (
    BudgetForm,
    MonthForm,
    PayForm,
    PeriodForm,
    ProgrammeForm,
    ReasonForm,
    RuleForm,
    SharingForm,
    TokenForm,
)
from incentives.models import ApiToken
from incentives.selectors import dashboard
from network import selectors as network_selectors
from network.models import User


def _agency_or_404(request):
    agency = selectors.agency_of(request.user)
    if agency is None:
        raise Http404
    return agency


@login_required
def agency_home(request):
    agency = _agency_or_404(request)
    return render(
        request,
        "incentives/agency_home.html",
        {
            "agency": agency,
            "programmes": list(selectors.programmes_of(request.user).prefetch_related("clusters")),
            "tokens": list(request.user.api_tokens.filter(revoked_at__isnull=True)),
            "token_form": TokenForm(),
            "new_key": request.session.pop("new_api_key", None),
            "co_sponsors": selectors.co_sponsors(request.user),
        },
    )


@login_required
def agency_overview(request):
    """Every programme and cluster of the officer's agency side by side, for chosen dates."""
    agency = _agency_or_404(request)
    default = selectors.default_period()
    form = PeriodForm(request.GET or None, initial={"start": default.start, "end": default.end})
    period = default
    if request.GET and form.is_valid():
        period = selectors.Period(form.cleaned_data["start"], form.cleaned_data["end"])
    return render(
        request,
        "incentives/agency_overview.html",
        {
            "agency": agency,
            "form": form,
            "overview": selectors.overview(selectors.programmes_of(request.user), period),
        },
    )


@login_required
def programme_new(request):
    agency = _agency_or_404(request)
    form = ProgrammeForm(
        request.POST or None, clusters=network_selectors.sponsored_clusters(agency)
    )
    if request.method == "POST" and form.is_valid():
        created = attempt(
            request, services.create_programme, form=form, by=request.user, **form.cleaned_data
        )
        if created:
            messages.success(
                request, _("Programme created. Now set what each contribution earns.")
            )
            return redirect(created.value)
    return render(request, "incentives/programme_form.html", {"form": form, "agency": agency})


def _month(value):
    form = MonthForm({"month": value})
    return form.cleaned_data["month"] if form.is_valid() else None


@login_required
def programme_detail(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    month = _month(request.GET.get("month", "")) or selectors.last_month()
    approvals = selectors.approvals_of(programme, limit=12)
    approved = next((approval for approval in approvals if approval.month == month), None)
    if approved is None and len(approvals) == 12 and month < approvals[-1].month:
        # A month older than those listed.
        approved = (
            programme.approvals.select_related("approved_by__profile").filter(month=month).first()
        )
    return render(
        request,
        "incentives/programme.html",
        {
            "programme": programme,
            "board": dashboard.build(programme),
            "rules": {rule.kind: rule for rule in programme.rules.all()},
            "rule_form": RuleForm(),
            "budget_form": BudgetForm(),
            "month": month,
            "approved": approved,
            "earned": selectors.earned_by_member(programme, month),
            "approvals": approvals,
            "contributions": selectors.recent_contributions(programme),
            "rule_changes": selectors.rule_changes(programme),
            "reason_form": ReasonForm(),
        },
    )


@login_required
def member_statement(request, programme_id, member_id, year, month):
    """A member's statement as the programme's officers audit it."""
    programme = selectors.programme_for(request.user, programme_id)
    account = selectors.member_account(programme.pk, member_id)
    if account is None or not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    period = datetime.date(year, month, 1)
    return render(
        request,
        "incentives/statement.html",
        {"statement": selectors.statement(programme, account.member, period), "for_officer": True},
    )


@login_required
def programme_csv(request, programme_id, table):
    programme = selectors.programme_for(request.user, programme_id)
    found = dashboard.build(programme).tables.get(table)
    if found is None:
        raise Http404
    response = HttpResponse(found.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="programme-{programme.pk}-{table}.csv"'
    )
    return response


@login_required
def programme_chart(request, programme_id, table):
    programme = selectors.programme_for(request.user, programme_id)
    svg = charts.svg(dashboard.build(programme).tables.get(table))
    if svg is None:
        raise Http404
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # The chart draws with its own inline styles and runs nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _valid(request, form) -> bool:
    """True when the form is valid; otherwise each problem, with the field it concerns, is
    shown above the next page."""
    if form.is_valid():
        return True
    messages.error(
        request,
        " ".join(
            f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
            for name, errors in form.errors.items()
            for error in errors
        ),
    )
    return False


# Each action finds the programme first: to anyone but its agency's officers it does not
# exist (404), whatever they post.


@login_required
@require_POST
def rule_save(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    form = RuleForm(request.POST)
    if _valid(request, form) and attempt(
        request, services.set_rule, programme=programme, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("Rule saved; it applies to contributions from now on."))
    return redirect(programme)


@login_required
@require_POST
def budget_add(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    form = BudgetForm(request.POST)
    if _valid(request, form) and attempt(
        request, services.add_budget, programme=programme, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("Budget increased."))
    return redirect(programme)


@login_required
@require_POST
def figure_sharing(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    form = SharingForm(request.POST)
    if _valid(request, form) and attempt(
        request,
        services.set_figure_sharing,
        programme=programme,
        by=request.user,
        share=form.cleaned_data["share"],
    ):
        if form.cleaned_data["share"]:
            messages.success(request, _("Co-sponsoring agencies now see its budget and credits."))
        else:
            messages.success(request, _("Its budget and credits are now hidden from co-sponsors."))
    return redirect(f"{programme.get_absolute_url()}#co-sponsors")


def _approvals_of(programme, month=None) -> str:
    query = f"?month={month:%Y-%m}" if month else ""
    return f"{programme.get_absolute_url()}{query}#approvals"


@login_required
@require_POST
def month_approve(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    form = MonthForm(request.POST)
    if not _valid(request, form):
        return redirect(_approvals_of(programme))
    month = form.cleaned_data["month"]
    if attempt(request, services.approve_month, programme=programme, month=month, by=request.user):
        messages.success(
            request, _("Credits of %(month)s approved.") % {"month": month.strftime("%Y-%m")}
        )
    return redirect(_approvals_of(programme, month))


@login_required
@require_POST
def member_pay(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    form = PayForm(request.POST)
    if not _valid(request, form):
        return redirect(_approvals_of(programme))
    member = User.objects.filter(pk=form.cleaned_data["member"]).first()
    month = form.cleaned_data["month"]
    if member is None:
        messages.error(request, _("Nothing was earned that month."))
    elif attempt(
        request,
        services.pay,
        programme=programme,
        member=member,
        month=month,
        reference=form.cleaned_data["reference"],
        by=request.user,
    ):
        messages.success(request, _("Marked as paid."))
    return redirect(_approvals_of(programme, month))


@login_required
@require_POST
def contribution_reverse(request, contribution_id):
    contribution = selectors.contribution_for_officer(request.user, contribution_id)
    form = ReasonForm(request.POST)
    if _valid(request, form) and attempt(
        request,
        services.reverse_credit,
        contribution=contribution,
        by=request.user,
        reason=form.cleaned_data["reason"],
    ):
        messages.success(request, _("Credit reversed with a new ledger entry."))
    return redirect(contribution.programme)


@login_required
@require_POST
def token_new(request):
    _agency_or_404(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the key is for (up to 100 characters)."))
        return redirect("incentives:agency")
    issued = attempt(
        request, services.issue_api_key, by=request.user, name=form.cleaned_data["name"]
    )
    if issued:
        _token, key = issued.value
        # Shown once on the next page, never stored in clear.
        request.session["new_api_key"] = key
        messages.success(request, _("API key created. Copy it now: it is shown only once."))
    return redirect("incentives:agency")


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user, revoked_at__isnull=True)
    services.revoke_api_key(token=token, by=request.user)
    messages.success(request, _("API key revoked."))
    return redirect("incentives:agency")
