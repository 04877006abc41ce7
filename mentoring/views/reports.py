"""A coordinator's downloads about their own cluster: members, engagement and a summary of
what happened between two dates (CSV, formula-safe). Anyone else: 404."""

import csv
import io
from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.tables import formula_safe
from mentoring.forms import PeriodForm
from mentoring.selectors import cluster_reports
from network import selectors as network_selectors


def _csv(name: str, headers: list[str], rows: Iterable[list]) -> HttpResponse:
    # Written whole: one cluster's rows are thousands at most, and under ASGI a streamed
    # synchronous iterator is read whole anyway, in a thread, with a warning.
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets then read the file as UTF-8
    writer = csv.writer(out)
    writer.writerow([formula_safe(cell) for cell in headers])
    writer.writerows([formula_safe(cell) for cell in row] for row in rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _coordinated(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    if not network_selectors.is_coordinator(user=request.user, cluster=cluster):
        raise Http404
    return cluster


def _period(request) -> tuple[PeriodForm, cluster_reports.Period]:
    default = cluster_reports.default_period()
    form = PeriodForm(request.GET or None, initial={"start": default.start, "end": default.end})
    if request.GET and form.is_valid():
        return form, cluster_reports.Period(form.cleaned_data["start"], form.cleaned_data["end"])
    return form, default


@login_required
@require_GET
def cluster_reports_page(request, slug):
    cluster = _coordinated(request, slug)
    form, period = _period(request)
    return render(
        request,
        "mentoring/cluster_reports.html",
        {
            "cluster": cluster,
            "form": form,
            "period": period,
            "activity": cluster_reports.activity_rows(cluster, period),
        },
    )


@login_required
@require_GET
def members_csv(request, slug):
    cluster = _coordinated(request, slug)
    headers, rows = cluster_reports.members_rows(cluster)
    return _csv(f"{cluster.slug}-members", headers, rows)


@login_required
@require_GET
def engagement_csv(request, slug):
    cluster = _coordinated(request, slug)
    headers, rows = cluster_reports.engagement_rows(cluster)
    return _csv(f"{cluster.slug}-engagement", headers, rows)


@login_required
@require_GET
def activity_csv(request, slug):
    cluster = _coordinated(request, slug)
    _form, period = _period(request)
    rows = cluster_reports.activity_rows(cluster, period)
    name = f"{cluster.slug}-activity-{period.start.isoformat()}-{period.end.isoformat()}"
    return _csv(name, ["", f"{period.start.isoformat()} / {period.end.isoformat()}"], rows)
