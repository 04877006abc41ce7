"""Sessions: scheduling, answers, attendance, confirmation, notes and calendar files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.views import attempt
from mentoring import calendar
from mentoring.forms import AnswerForm, ConfirmForm, NotesForm, ReasonForm, SessionForm, parse_id
from mentoring.selectors import cluster_calendar as cluster_calendars
from mentoring.selectors import pairings, sessions
from mentoring.services import calendars
from mentoring.services import sessions as session_services
from network import selectors as network_selectors
from network.forms import JoinRequestForm


def _schedule(request, *, pairing=None, cluster=None):
    group = pairing is None
    initial = {"time_zone": request.user.profile.time_zone, "duration_minutes": 60}
    form = SessionForm(request.POST or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        scheduled = attempt(
            request,
            session_services.schedule_session,
            form=form,
            by=request.user,
            pairing=pairing,
            cluster=cluster,
            **form.cleaned_data,
        )
        if scheduled:
            messages.success(request, _("Session scheduled; the invitations are on their way."))
            return redirect(scheduled.value)
    back = pairing.get_absolute_url() if pairing else cluster.get_absolute_url()
    return render(
        request,
        "mentoring/session_form.html",
        {"form": form, "pairing": pairing, "cluster": cluster, "back": back},
    )


@login_required
def schedule_for_pairing(request, pairing_id):
    pairing = pairings.pairing_for(request.user, pairing_id)
    if not pairing.involves(request.user):
        raise Http404
    return _schedule(request, pairing=pairing)


@login_required
def cluster_sessions(request, slug):
    # A private cluster is 404 to outsiders; a public one says who its sessions are for.
    cluster = network_selectors.cluster_for(request.user, slug)
    membership = network_selectors.membership_of(request.user, cluster)
    if membership is None or not membership.is_active:
        return render(
            request,
            "mentoring/members_only.html",
            {"cluster": cluster, "membership": membership, "join_form": JoinRequestForm()},
        )
    return render(
        request,
        "mentoring/cluster_sessions.html",
        {
            "cluster": cluster,
            "upcoming": sessions.cluster_sessions(cluster),
            "past": sessions.cluster_sessions(cluster, upcoming=False, limit=10),
            # The membership in hand answers it: no second look-up.
            "is_coordinator": membership.is_coordinator,
        },
    )


@login_required
def schedule_group(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    if not network_selectors.is_coordinator(user=request.user, cluster=cluster):
        raise Http404
    return _schedule(request, cluster=cluster)


@login_required
def session_detail(request, session_id):
    session = sessions.session_for(request.user, session_id)
    attendances = sessions.attendances_of(session)
    is_host = session.host_id == request.user.pk
    has_begun = session.starts_at <= timezone.now()
    is_open = not session.is_cancelled and not has_begun
    return render(
        request,
        "mentoring/session.html",
        {
            "session": session,
            "attendances": attendances,
            "mine": next((a for a in attendances if a.user_id == request.user.pk), None),
            "feedback": sessions.feedback_of(session) if is_host else [],
            # What the viewer may do here, decided once (the services hold the same rules).
            "can_answer": is_open,
            "can_cancel": is_host and is_open,
            "can_record_attendance": is_host and has_begun and not session.is_cancelled,
            "can_write_notes": is_host or bool(session.pairing_id),
            "can_confirm": sessions.can_confirm(request.user, session),
            "confirm_form": ConfirmForm(),
            "notes_form": NotesForm(initial={"notes": session.notes}),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def session_answer(request, session_id):
    session = sessions.session_for(request.user, session_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer going, maybe or not going."))
        return redirect(session)
    answered = attempt(
        request,
        session_services.answer_session,
        session=session,
        user=request.user,
        answer=form.cleaned_data["answer"],
    )
    if answered and answered.value.waitlisted:
        messages.info(request, _("The session is full: you are on the waiting list."))
    elif answered:
        messages.success(request, _("Your answer is saved."))
    return redirect(session)


@login_required
@require_POST
def session_cancel(request, session_id):
    session = sessions.session_for(request.user, session_id)
    form = ReasonForm(request.POST)
    cancelled = attempt(
        request,
        session_services.cancel_session,
        session=session,
        by=request.user,
        reason=form.cleaned_data["reason"] if form.is_valid() else "",
    )
    if cancelled:
        messages.success(request, _("The session is cancelled and everyone going was told."))
    return redirect(session)


def _tell_attendance_saved(request, count: int) -> None:
    if not count:
        messages.info(request, _("Nothing was saved: mark who came and who did not."))
        return
    messages.success(
        request,
        ngettext(
            "Attendance saved for %(count)d person.",
            "Attendance saved for %(count)d people.",
            count,
        )
        % {"count": count},
    )


@login_required
@require_POST
def session_attendance(request, session_id):
    session = sessions.session_for(request.user, session_id)
    attended = {}
    for key, value in request.POST.items():
        user_id = parse_id(key.removeprefix("came-")) if key.startswith("came-") else None
        if user_id is not None:
            attended[user_id] = value == "yes"
    recorded = attempt(
        request,
        session_services.mark_attendance,
        session=session,
        by=request.user,
        attended=attended,
    )
    if recorded:
        _tell_attendance_saved(request, recorded.value)
    return redirect(session)


@login_required
@require_POST
def session_notes(request, session_id):
    session = sessions.session_for(request.user, session_id)
    form = NotesForm(request.POST)
    if form.is_valid():
        saved = attempt(
            request,
            session_services.save_notes,
            session=session,
            by=request.user,
            notes=form.cleaned_data["notes"],
        )
        if saved:
            messages.success(request, _("Notes saved."))
    return redirect(session)


@login_required
@require_POST
def session_confirm(request, session_id):
    session = sessions.session_for(request.user, session_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the session took place."))
        return redirect(session)
    confirmed = attempt(
        request,
        session_services.confirm_session,
        session=session,
        follower=request.user,
        **form.cleaned_data,
    )
    if confirmed:
        messages.success(request, _("Thank you: your confirmation is recorded."))
    return redirect(session)


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_GET
def session_ics(request, session_id):
    session = sessions.session_for(request.user, session_id)
    return _ics(calendar.calendar_of([session], name=session.title), f"session-{session.pk}.ics")


@require_GET
def calendar_feed(request, token):
    """The private feed calendars subscribe to: the token in the address is the key."""
    feed = sessions.live_feed(token)
    if feed is None:
        raise Http404
    mine = sessions.calendar_sessions(feed.user)
    return _ics(calendar.calendar_of(mine, name="Pioneros"), "pioneros.ics")


@login_required
def calendar_settings(request):
    if request.method == "POST":
        calendars.revoke_feed(user=request.user)
        messages.success(
            request, _("A new calendar address was made; the old one no longer works.")
        )
        return redirect("mentoring:calendar")
    # The page gives out the address, so opening it makes one if there is none yet.
    feed = calendars.ensure_feed(user=request.user)
    return render(
        request,
        "mentoring/calendar.html",
        {"feed_url": request.build_absolute_uri(feed.get_absolute_url())},
    )


@login_required
def cluster_calendar(request, slug):
    """Every sponsoring agency's programmes and the cluster's group sessions, in one place."""
    cluster = cluster_calendars.calendar_cluster_for(request.user, slug)
    is_member = cluster_calendars.is_active_member(request.user, cluster)
    items = cluster_calendars.cluster_calendar(cluster, titles=is_member)
    feed = calendars.ensure_feed(user=request.user)
    return render(
        request,
        "mentoring/cluster_calendar.html",
        {
            "cluster": cluster,
            "is_member": is_member,
            "items": items,
            "overlaps": sum(1 for item in items if item.overlaps),
            "feed_url": request.build_absolute_uri(
                reverse("mentoring:cluster_calendar_feed", args=[feed.token, cluster.slug])
            ),
        },
    )


@require_GET
def cluster_calendar_feed(request, token, slug):
    """The cluster calendar for calendar apps: the member's private token is the key, and
    they must still be allowed to see the cluster's calendar."""
    feed = sessions.live_feed(token)
    if feed is None or not feed.user.is_active:
        raise Http404
    cluster = cluster_calendars.calendar_cluster_for(feed.user, slug)
    titles = cluster_calendars.is_active_member(feed.user, cluster)
    items = cluster_calendars.cluster_calendar(cluster, titles=titles)
    return _ics(calendar.cluster_calendar_of(items, cluster=cluster), f"{cluster.slug}.ics")
