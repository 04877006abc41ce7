"""Agency officers' pages: registry and imports (each file's preview, progress and fate), and
what each programme changed."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.views import attempt
from evidence import design, differences, evaluations, imports, report, selectors
from evidence.errors import shown
from evidence.forms import UploadForm
from evidence.models import Evaluation
from evidence.rows import FORMULA_START
from incentives.selectors import programme_for


@login_required
def imports_home(request):
    agency = selectors.agency_for(request.user)
    return render(request, "evidence/imports.html", _home_context(agency, UploadForm()))


def _home_context(agency, form) -> dict:
    return {
        "agency": agency,
        "form": form,
        "batches": selectors.batches_of(agency),
        "summary": selectors.registry_summary(agency),
        "linked": selectors.linked_organizations(agency),
        "trail": selectors.link_trail(agency),
        "confirmations": selectors.confirmation_trail(agency),
    }


@login_required
@require_POST
def upload(request):
    agency = selectors.agency_for(request.user)
    form = UploadForm(request.POST, request.FILES)
    replaces = None
    if request.POST.get("replaces"):
        replaces = selectors.batch_for(request.user, _int(request.POST["replaces"]))
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        uploaded = attempt(
            request,
            imports.upload,
            form=form,
            by=request.user,
            kind=form.cleaned_data["kind"],
            file_name=upload_file.name,
            content=upload_file.read(),
            replaces=replaces,
        )
        if uploaded:
            return redirect("evidence:batch", batch_id=uploaded.value.pk)
    return render(request, "evidence/imports.html", _home_context(agency, form), status=200)


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 12 else 0


@login_required
def batch_page(request, batch_id):
    batch = selectors.batch_for(request.user, batch_id)
    context = {
        "batch": batch,
        "problem": shown(*batch.problem) if batch.problem else "",
        "refused": [
            (row, column, value, shown(msgid, params))
            for row, column, value, msgid, params in batch.refused[:50]
        ],
        "replace_form": UploadForm(initial={"kind": batch.kind}),
    }
    if request.htmx:
        return render(request, "evidence/_batch_status.html", context)
    return render(request, "evidence/batch.html", context)


def _safe(value) -> str:
    # A refused cell goes back to a spreadsheet: never let it run there as a formula.
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@login_required
def refused_csv(request, batch_id):
    batch = selectors.batch_for(request.user, batch_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-refused.csv"'
    writer = csv.writer(response)
    writer.writerow([_("row"), _("column"), _("value"), _("reason")])
    for row, column, value, msgid, params in batch.refused:
        writer.writerow([row, _safe(column), _safe(value), _safe(shown(msgid, params))])
    return response


def _act(request, batch_id, action, done: str):
    batch = selectors.batch_for(request.user, batch_id)
    if attempt(request, action, batch=batch, by=request.user):
        messages.success(request, done)
    return redirect("evidence:batch", batch_id=batch.pk)


@login_required
@require_POST
def confirm(request, batch_id):
    return _act(request, batch_id, imports.confirm, _("Import started."))


@login_required
@require_POST
def discard(request, batch_id):
    return _act(request, batch_id, imports.discard, _("File discarded; nothing was written."))


@login_required
@require_POST
def rollback(request, batch_id):
    return _act(request, batch_id, imports.rollback, _("Import rolled back."))


def _comparison(request) -> str:
    value = request.GET.get("comparison") or request.POST.get("comparison") or ""
    return value if value in design.COMPARISONS else design.DEFAULT_COMPARISON


@login_required
def impact(request, programme_id):
    programme = programme_for(request.user, programme_id)
    comparison = _comparison(request)
    evaluation = evaluations.latest(programme, comparison)
    outcome = request.GET.get("outcome")
    outcome = outcome if outcome in design.OUTCOMES else "exported"
    rows = report.rows(evaluation) if evaluation and evaluation.status == "done" else []
    chosen = next((row for row in rows if row.outcome == outcome and row.result), None)
    context = {
        "programme": programme,
        "comparison": comparison,
        "comparisons": Evaluation.Comparison.choices,
        "evaluation": evaluation,
        "stale": (
            evaluation is None or evaluation.data_version != evaluations.data_version(programme)
        ),
        "rows": rows,
        "outcome": outcome,
        "chosen": chosen,
        "cohorts": report.cohorts(chosen.result) if chosen else [],
        "problem": shown(*evaluation.problem) if evaluation and evaluation.problem else "",
        "min_cell": design.MIN_CELL,
    }
    if request.htmx:
        response = render(request, "evidence/_impact_status.html", context)
        if evaluation is not None and evaluation.status in ("done", "failed"):
            response["HX-Refresh"] = "true"  # the whole page shows the finished estimate
        return response
    return render(request, "evidence/impact.html", context)


@login_required
@require_POST
def evaluate(request, programme_id):
    programme = programme_for(request.user, programme_id)
    comparison = _comparison(request)
    attempt(
        request,
        evaluations.request_evaluation,
        programme=programme,
        by=request.user,
        comparison=comparison,
    )
    url = reverse("evidence:impact", args=[programme.pk])
    return redirect(f"{url}?comparison={comparison}")


@login_required
def impact_report(request, programme_id):
    """The estimates laid out to print or save as PDF for a board."""
    programme = programme_for(request.user, programme_id)
    comparison = _comparison(request)
    evaluation = evaluations.latest(programme, comparison)
    done = evaluation is not None and evaluation.status == "done"
    rows = report.rows(evaluation) if done else []
    context = {
        "programme": programme,
        "comparison": comparison,
        "evaluation": evaluation,
        "rows": rows,
        "sections": report.sections(rows),
        "as_of": report.as_of(evaluation) if done else None,
        "stale": done and evaluation.data_version != evaluations.data_version(programme),
        "problem": shown(*evaluation.problem) if evaluation and evaluation.problem else "",
        "min_cell": design.MIN_CELL,
    }
    return render(request, "evidence/impact_report.html", context)


@login_required
def impact_chart(request, programme_id, outcome):
    programme = programme_for(request.user, programme_id)
    if outcome not in design.OUTCOMES:
        raise Http404
    evaluation = evaluations.latest(programme, _comparison(request))
    result = (evaluation.results.get(outcome) if evaluation else None) or {}
    svg = report.event_chart(None if "error" in result else result, str(report.LABELS[outcome]))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # The chart draws with its own attributes and runs nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
def impact_csv(request, programme_id):
    programme = programme_for(request.user, programme_id)
    evaluation = evaluations.latest(programme, _comparison(request))
    text = report.csv_text(evaluation) if evaluation and evaluation.status == "done" else ""
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="impact-{programme.pk}.csv"'
    return response


DIFFERENCES_SHOWN = 100  # rows on the page; the CSV holds them all


@login_required
def differences_page(request, programme_id):
    """Where the programme's linked firms' own records and the agency's customs disagree."""
    programme = programme_for(request.user, programme_id)
    found = differences.for_programme(programme)
    context = {
        "programme": programme,
        "found": found,
        "rows": found.rows[:DIFFERENCES_SHOWN],
        "count": len(found.rows),
    }
    return render(request, "evidence/differences.html", context)


@login_required
def differences_csv(request, programme_id):
    programme = programme_for(request.user, programme_id)
    text = differences.csv_text(differences.for_programme(programme))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="differences-{programme.pk}.csv"'
    return response
