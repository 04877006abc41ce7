"""Inviting a list of people: upload a CSV, read the preview, send it (coordinators only)."""

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.tables import formula_safe
from core.views import attempt
from network.forms import InvitationListForm
from network.models import INVITATION_LIFETIME, InvitationBatch
from network.services import bulk_invitations
from network.views import coordinated_cluster


def _batch(cluster, batch_id) -> InvitationBatch:
    return get_object_or_404(InvitationBatch, pk=batch_id, cluster=cluster)


def upload(request, slug):
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    form = InvitationListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        # Read no more than the limit and one byte: the service refuses what is longer.
        content = upload_file.read(bulk_invitations.MAX_BYTES + 1)
        read = attempt(
            request,
            bulk_invitations.preview_invitations,
            form=form,
            cluster=cluster,
            by=request.user,
            content=content,
            file_name=upload_file.name,
        )
        if read:
            return redirect("invitation_list", slug=cluster.slug, batch_id=read.value.pk)
    return render(
        request,
        "network/invitation_list_upload.html",
        {
            "cluster": cluster,
            "form": form,
            "max_rows": bulk_invitations.MAX_ROWS,
            "max_kb": bulk_invitations.MAX_BYTES // 1024,
        },
    )


@require_GET
def preview(request, slug, batch_id):
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    batch = _batch(cluster, batch_id)
    return render(
        request,
        "network/invitation_list.html",
        {"cluster": cluster, "batch": batch, "days": INVITATION_LIFETIME.days},
    )


@require_POST
def send(request, slug, batch_id):
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    batch = _batch(cluster, batch_id)
    sent = attempt(request, bulk_invitations.send_invitation_batch, batch=batch, by=request.user)
    if not sent:
        return redirect("invitation_list", slug=cluster.slug, batch_id=batch.pk)
    count = len(sent.value.rows)
    messages.success(
        request,
        ngettext(
            "%(count)d invitation sent. The link works for %(days)d days.",
            "%(count)d invitations sent. Each link works for %(days)d days.",
            count,
        )
        % {"count": count, "days": INVITATION_LIFETIME.days},
    )
    return redirect("cluster_manage", slug=cluster.slug)


@require_GET
def problems_csv(request, slug, batch_id):
    """The rows that could not be invited, with the reason, to correct and upload again."""
    cluster, refusal = coordinated_cluster(request, slug)
    if refusal:
        return refusal
    batch = _batch(cluster, batch_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "role", "name", _("row"), _("reason")])
    for row in batch.problems:
        cells = [row["email"], row["role"], row["name"], row["row"], row["reason"]]
        writer.writerow([formula_safe(cell) for cell in cells])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="invitations-{batch.pk}-to-fix.csv"'
    return response
