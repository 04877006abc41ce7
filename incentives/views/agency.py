"""Agency officers: their programmes, dashboards, rules, approvals, payouts and API keys."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incentives import dashboard, ledger, programmes, selectors, services
from incentives.errors import IncentiveError
from incentives.forms import (
    BudgetForm,
    MonthForm,
    PayForm,
    ProgrammeForm,
    ReasonForm,
    RuleForm,
    TokenForm,
)
from incentives.models import Account, ApiToken
from network.models import User


def _agency_or_404(request):
    agency = programmes.agency_of(request.user)
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
            "programmes": list(
                programmes.programmes_of(request.user).prefetch_related("clusters")
            ),
            "tokens": list(request.user.api_tokens.filter(revoked_at__isnull=True)),
            "token_form": TokenForm(),
            "new_key": request.session.pop("new_api_key", None),
        },
    )


@login_required
def programme_new(request):
    agency = _agency_or_404(request)
    form = ProgrammeForm(request.POST or None, clusters=programmes.sponsored_clusters(agency))
    if request.method == "POST" and form.is_valid():
        try:
            programme = programmes.create_programme(by=request.user, **form.cleaned_data)
        except IncentiveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Programme created. Now set what each contribution earns.")
            )
            return redirect(programme)
    return render(request, "incentives/programme_form.html", {"form": form, "agency": agency})


def _month(value):
    form = MonthForm({"month": value})
    return form.cleaned_data["month"] if form.is_valid() else None


@login_required
def programme_detail(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    board = dashboard.build(programme)
    today = timezone.localdate()
    last_month = ledger.month_start(ledger.month_start(today) - datetime.timedelta(days=1))
    month = _month(request.GET.get("month", "")) or last_month
    rules = {rule.kind: rule for rule in programme.rules.all()}
    return render(
        request,
        "incentives/programme.html",
        {
            "programme": programme,
            "board": board,
            "rules": rules,
            "rule_form": RuleForm(),
            "budget_form": BudgetForm(),
            "month": month,
            "approved": programme.approvals.filter(month=month).first(),
            "earned": selectors.earned_by_member(programme, month),
            "approvals": list(programme.approvals.order_by("-month")[:12]),
            "contributions": selectors.recent_contributions(programme),
            "rule_changes": selectors.rule_changes(programme),
            "reason_form": ReasonForm(),
        },
    )


@login_required
def member_statement(request, programme_id, member_id, year, month):
    """A member's statement as the programme's officers audit it."""
    programme = selectors.programme_for(request.user, programme_id)
    account = (
        Account.objects.filter(programme=programme, member_id=member_id, kind=Account.Kind.MEMBER)
        .select_related("member__profile")
        .first()
    )
    if account is None or not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    period = datetime.date(year, month, 1)
    return render(
        request,
        "incentives/statement.html",
        {"statement": ledger.statement(programme, account.member, period), "for_officer": True},
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
    svg = dashboard.chart(dashboard.build(programme), table)
    if svg is None:
        raise Http404
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # The chart draws with its own inline styles and runs nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _act(request, programme, action, done: str) -> None:
    try:
        action()
    except IncentiveError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)


def _form_errors(form) -> str:
    """Each problem with the field it concerns, for a message above the page."""
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


# Each action finds the programme first: to anyone but its agency's officers it does not
# exist (404), whatever they post.


@login_required
@require_POST
def rule_save(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    form = RuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(programme)
    _act(
        request,
        programme,
        lambda: programmes.set_rule(programme=programme, by=request.user, **form.cleaned_data),
        _("Rule saved; it applies to contributions from now on."),
    )
    return redirect(programme)


@login_required
@require_POST
def budget_add(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    form = BudgetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(programme)
    _act(
        request,
        programme,
        lambda: programmes.add_budget(programme=programme, by=request.user, **form.cleaned_data),
        _("Budget increased."),
    )
    return redirect(programme)


@login_required
@require_POST
def month_approve(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(f"{programme.get_absolute_url()}#approvals")
    month = form.cleaned_data["month"]
    _act(
        request,
        programme,
        lambda: programmes.approve_month(programme=programme, month=month, by=request.user),
        _("Credits of %(month)s approved.") % {"month": month.strftime("%Y-%m")},
    )
    return redirect(f"{programme.get_absolute_url()}?month={month:%Y-%m}#approvals")


@login_required
@require_POST
def member_pay(request, programme_id):
    programme = selectors.programme_for(request.user, programme_id)
    form = PayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(f"{programme.get_absolute_url()}#approvals")
    member = User.objects.filter(pk=form.cleaned_data["member"]).first()
    month = form.cleaned_data["month"]
    if member is None:
        messages.error(request, _("Nothing was earned that month."))
    else:
        _act(
            request,
            programme,
            lambda: programmes.pay(
                programme=programme,
                member=member,
                month=month,
                reference=form.cleaned_data["reference"],
                by=request.user,
            ),
            _("Marked as paid."),
        )
    return redirect(f"{programme.get_absolute_url()}?month={month:%Y-%m}#approvals")


@login_required
@require_POST
def contribution_reverse(request, contribution_id):
    contribution = selectors.contribution_for_officer(request.user, contribution_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(contribution.programme)
    try:
        services.reverse_credit(
            contribution=contribution, by=request.user, reason=form.cleaned_data["reason"]
        )
    except IncentiveError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Credit reversed with a new ledger entry."))
    return redirect(contribution.programme)


@login_required
@require_POST
def token_new(request):
    _agency_or_404(request)
    form = TokenForm(request.POST)
    try:
        if not form.is_valid():
            raise IncentiveError(_("Say what the key is for (up to 100 characters)."))
        _token, key = programmes.issue_api_key(by=request.user, name=form.cleaned_data["name"])
    except IncentiveError as error:
        messages.error(request, error.message)
    else:
        # Shown once on the next page, never stored in clear.
        request.session["new_api_key"] = key
        messages.success(request, _("API key created. Copy it now: it is shown only once."))
    return redirect("incentives:agency")


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user, revoked_at__isnull=True)
    programmes.revoke_api_key(token=token, by=request.user)
    messages.success(request, _("API key revoked."))
    return redirect("incentives:agency")
