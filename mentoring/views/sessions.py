"""Sessions: scheduling, answers, attendance, confirmation, notes and calendar files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from mentoring import calendar, selectors, services, sessions
from mentoring.forms import AnswerForm, ConfirmForm, NotesForm, ReasonForm, SessionForm, parse_id
from mentoring.services import MentoringError
from network import selectors as network_selectors
from network.forms import JoinRequestForm


def _schedule(request, *, pairing=None, cluster=None):
    group = pairing is None
    initial = {"time_zone": request.user.profile.time_zone, "duration_minutes": 60}
    form = SessionForm(request.POST or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = sessions.schedule_session(
                by=request.user, pairing=pairing, cluster=cluster, **form.cleaned_data
            )
        except MentoringError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Session scheduled; the invitations are on their way."))
            return redirect(session)
    back = pairing.get_absolute_url() if pairing else cluster.get_absolute_url()
    return render(
        request,
        "mentoring/session_form.html",
        {"form": form, "pairing": pairing, "cluster": cluster, "back": back},
    )


@login_required
def schedule_for_pairing(request, pairing_id):
    pairing = selectors.pairing_for(request.user, pairing_id)
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
            "upcoming": selectors.cluster_sessions(cluster),
            "past": selectors.cluster_sessions(cluster, upcoming=False, limit=10),
            "is_coordinator": services.is_coordinator(request.user, cluster),
        },
    )


@login_required
def schedule_group(request, slug):
    cluster = network_selectors.cluster_for(request.user, slug)
    if not services.is_coordinator(request.user, cluster):
        raise Http404
    return _schedule(request, cluster=cluster)


@login_required
def session_detail(request, session_id):
    session = selectors.session_for(request.user, session_id)
    attendances = selectors.attendances_of(session)
    mine = next((a for a in attendances if a.user_id == request.user.pk), None)
    return render(
        request,
        "mentoring/session.html",
        {
            "session": session,
            "attendances": attendances,
            "mine": mine,
            "is_host": session.host_id == request.user.pk,
            "feedback": list(session.feedback.select_related("follower__profile"))
            if session.host_id == request.user.pk
            else [],
            "has_begun": session.starts_at <= timezone.now(),
            "can_confirm": sessions.awaiting_confirmation(request.user)
            .filter(pk=session.pk)
            .exists()
            and session.ends_at <= timezone.now(),
            "confirm_form": ConfirmForm(),
            "notes_form": NotesForm(initial={"notes": session.notes}),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def session_answer(request, session_id):
    session = selectors.session_for(request.user, session_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer going, maybe or not going."))
        return redirect(session)
    try:
        attendance = sessions.answer_session(
            session=session, user=request.user, answer=form.cleaned_data["answer"]
        )
    except MentoringError as error:
        messages.error(request, error.message)
    else:
        if attendance.waitlisted:
            messages.info(request, _("The session is full: you are on the waiting list."))
        else:
            messages.success(request, _("Your answer is saved."))
    return redirect(session)


@login_required
@require_POST
def session_cancel(request, session_id):
    session = selectors.session_for(request.user, session_id)
    form = ReasonForm(request.POST)
    try:
        sessions.cancel_session(
            session=session,
            by=request.user,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
    except MentoringError as error:
        messages.error(request, error.message)
    else:
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
    session = selectors.session_for(request.user, session_id)
    attended = {}
    for key, value in request.POST.items():
        user_id = parse_id(key.removeprefix("came-")) if key.startswith("came-") else None
        if user_id is not None:
            attended[user_id] = value == "yes"
    try:
        count = sessions.mark_attendance(session=session, by=request.user, attended=attended)
    except MentoringError as error:
        messages.error(request, error.message)
    else:
        _tell_attendance_saved(request, count)
    return redirect(session)


@login_required
@require_POST
def session_notes(request, session_id):
    session = selectors.session_for(request.user, session_id)
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            sessions.save_notes(session=session, by=request.user, notes=form.cleaned_data["notes"])
        except MentoringError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Notes saved."))
    return redirect(session)


@login_required
@require_POST
def session_confirm(request, session_id):
    session = selectors.session_for(request.user, session_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the session took place."))
        return redirect(session)
    try:
        sessions.confirm_session(session=session, follower=request.user, **form.cleaned_data)
    except MentoringError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: your confirmation is recorded."))
    return redirect(session)


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_GET
def session_ics(request, session_id):
    session = selectors.session_for(request.user, session_id)
    return _ics(calendar.calendar_of([session], name=session.title), f"session-{session.pk}.ics")


@require_GET
def calendar_feed(request, token):
    """The private feed calendars subscribe to: the token in the address is the key."""
    feed = calendar.live_feed(token)
    if feed is None:
        raise Http404
    mine = sessions.calendar_sessions(feed.user)
    return _ics(calendar.calendar_of(mine, name="Pioneros"), "pioneros.ics")


@login_required
def calendar_settings(request):
    if request.method == "POST":
        calendar.revoke_feed(user=request.user)
        messages.success(
            request, _("A new calendar address was made; the old one no longer works.")
        )
        return redirect("mentoring:calendar")
    feed = calendar.feed_for(request.user)
    return render(
        request,
        "mentoring/calendar.html",
        {"feed_url": request.build_absolute_uri(feed.get_absolute_url())},
    )
