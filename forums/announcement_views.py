"""A cluster's announcements: its members read them; its coordinators write them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.views import attempt
from forums import selectors, services
from forums.forms import AnnouncementForm
from network import selectors as network_selectors


@login_required
def announcements(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    if not selectors.is_active_member(request.user, cluster):
        raise Http404
    may_write = network_selectors.is_coordinator(user=request.user, cluster=cluster)
    form = AnnouncementForm(request.POST or None) if may_write else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            done = attempt(
                request,
                services.announce,
                form=form,
                cluster=cluster,
                by=request.user,
                **form.cleaned_data,
            )
            if done:
                count = done.value.recipient_count
                if count:
                    text = ngettext(
                        "Announcement sent to %(count)d member.",
                        "Announcement sent to %(count)d members.",
                        count,
                    ) % {"count": count}
                else:
                    text = _("Announcement saved. The cluster has no other member yet.")
                messages.success(request, text)
                return redirect(done.value)
    return render(
        request,
        "forums/announcements.html",
        {
            "cluster": cluster,
            "announcements": selectors.announcements_of(cluster),
            "form": form,
        },
    )


@login_required
def announcement(request, slug, announcement_id):
    cluster = network_selectors.cluster_for(request.user, slug)
    found = selectors.announcement_for(
        request.user, cluster=cluster, announcement_id=announcement_id
    )
    return render(request, "forums/announcement.html", {"cluster": cluster, "announcement": found})
