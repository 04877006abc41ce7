"""Sessions: scheduling in the host's time zone, answers with a waiting list, attendance,
the followers' confirmation that a session was held, and reminders."""

import datetime
import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from incentives.services import ContributionKind, record_contribution
from mentoring.models import Attendance, Pairing, Session, SessionFeedback
from mentoring.selectors.sessions import awaiting_confirmation, can_see, organization_id_of
from mentoring.services.common import text
from network import notify
from network.models import Cluster, Membership, User
from network.selectors import is_coordinator

Answer = Attendance.Answer
REMINDER_AHEAD = timedelta(hours=24)
# Sessions are planned at most this far ahead (and calendars' time zone rules stay valid).
YEARS_AHEAD = 5
MIN_YEAR = 2000


def local_to_utc(local: datetime.datetime, time_zone: str) -> datetime.datetime:
    """A wall-clock time in a zone, as UTC; refuses times a daylight-saving change skips."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DomainError(_("Unknown time zone %(zone)s.") % {"zone": time_zone}) from None
    if not MIN_YEAR <= local.year <= timezone.now().year + YEARS_AHEAD:
        raise DomainError(
            _("Choose a date within the next %(years)d years.") % {"years": YEARS_AHEAD}
        )
    aware = local.replace(tzinfo=zone)
    utc = aware.astimezone(datetime.UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise DomainError(
            _("%(time)s does not exist in %(zone)s: the clocks change then. Pick another time.")
            % {"time": local.strftime("%Y-%m-%d %H:%M"), "zone": time_zone}
        )
    return utc


def _context(session: Session) -> dict:
    zone = zoneinfo.ZoneInfo(session.time_zone)
    return {
        "title": session.title,
        "starts": session.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "time_zone": session.time_zone,
        "place": session.place,
        "online_url": session.online_url,
        "url": notify.absolute_url(session.get_absolute_url()),
    }


def _validate(*, title: str, duration_minutes: int, starts_at: datetime.datetime) -> None:
    if not title.strip():
        raise DomainError(gettext_lazy("Give the session a title."))
    if not 15 <= duration_minutes <= 480:
        raise DomainError(gettext_lazy("A session lasts between 15 minutes and 8 hours."))
    if starts_at < timezone.now():
        raise DomainError(gettext_lazy("Choose a time in the future."))


def _kind_of(
    *, by: User, pairing: Pairing | None, cluster: Cluster | None, capacity: int | None
) -> tuple[Cluster, str, int | None]:
    """The session's cluster, kind and places, once `by` may schedule it: one-to-one inside
    their own active pairing (no places to count), or a group session they coordinate."""
    if pairing is not None:
        if not pairing.involves(by):
            raise NotAllowed()
        if pairing.status != Pairing.Status.ACTIVE:
            raise DomainError(gettext_lazy("Sessions are scheduled in an active pairing."))
        return pairing.cluster, Session.Kind.ONE_TO_ONE, None
    if cluster is None or not is_coordinator(user=by, cluster=cluster):
        raise NotAllowed(gettext_lazy("Only the cluster's coordinators run group sessions."))
    if capacity is not None and capacity < 1:
        raise DomainError(gettext_lazy("A session needs at least one place."))
    return cluster, Session.Kind.GROUP, capacity


def _seat_both_sides(session: Session) -> None:
    """Both sides of a pairing are going to its sessions from the start."""
    now = timezone.now()
    for person in (session.pairing.mentor, session.pairing.follower):
        Attendance.objects.create(session=session, user=person, answer=Answer.YES, answered_at=now)
    session.going_count = 2
    session.save(update_fields=["going_count"])


def _invitees(session: Session, *, by: User) -> list[User]:
    """Who hears of a new session: the other side of the pairing, or, for a group session,
    every active member of the cluster but the host."""
    pairing = session.pairing
    if pairing is not None:
        return [pairing.follower if by.pk == pairing.mentor_id else pairing.mentor]
    members = Membership.objects.active().in_cluster(session.cluster).values("user_id")
    return list(User.objects.filter(pk__in=members).exclude(pk=by.pk))


@transaction.atomic
def schedule_session(
    *,
    by: User,
    title: str,
    local_start: datetime.datetime,
    time_zone: str,
    duration_minutes: int,
    pairing: Pairing | None = None,
    cluster: Cluster | None = None,
    agenda: str = "",
    place: str = "",
    online_url: str = "",
    capacity: int | None = None,
) -> Session:
    """A one-to-one session inside an active pairing, or a coordinator's group session."""
    title, agenda = text(title, Session, "title"), text(agenda, Session, "agenda")
    place, online_url = text(place, Session, "place"), text(online_url, Session, "online_url")
    starts_at = local_to_utc(local_start, time_zone)
    _validate(title=title, duration_minutes=duration_minutes, starts_at=starts_at)
    cluster, kind, capacity = _kind_of(by=by, pairing=pairing, cluster=cluster, capacity=capacity)
    session = Session.objects.create(
        cluster=cluster,
        pairing=pairing,
        kind=kind,
        host=by,
        title=title.strip()[:200],
        agenda=agenda.strip(),
        starts_at=starts_at,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        place=place.strip(),
        online_url=online_url.strip(),
        capacity=capacity,
    )
    if pairing is not None:
        _seat_both_sides(session)
    notify.tell(
        users=_invitees(session, by=by),
        template="mentoring/email/session_scheduled",
        context=_context(session),
        event={
            "type": "session_scheduled",
            "text": _("New session: %(title)s") % {"title": session.title},
            "url": session.get_absolute_url(),
        },
    )
    return session


def _locked(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("cluster", "pairing")
        .get(pk=session.pk)
    )


def _promote_waiting(session: Session) -> Attendance | None:
    if session.capacity is not None and session.going_count >= session.capacity:
        return None
    waiting = (
        session.attendances.filter(answer=Answer.YES, waitlisted=True)
        .order_by("answered_at", "id")
        .first()
    )
    if waiting:
        waiting.waitlisted = False
        waiting.save(update_fields=["waitlisted"])
        session.going_count += 1
        notify.tell(
            users=[waiting.user],
            template="mentoring/email/session_place",
            context=_context(session),
            event={
                "type": "session_place",
                "text": _("A place opened for you: %(title)s") % {"title": session.title},
                "url": session.get_absolute_url(),
            },
        )
    return waiting


@transaction.atomic
def answer_session(*, session: Session, user: User, answer: str) -> Attendance:
    """Going, maybe or not going; going beyond the places puts one on the waiting list."""
    session = _locked(session)
    if not can_see(user, session):
        raise NotAllowed()
    if session.pairing_id and not session.pairing.involves(user):
        # Coordinators may look at a pairing's sessions, not join them.
        raise NotAllowed(gettext_lazy("Only the mentor and the follower attend this session."))
    if answer not in Answer.values:
        raise DomainError(gettext_lazy("Answer going, maybe or not going."))
    if session.is_cancelled or session.starts_at < timezone.now():
        raise DomainError(gettext_lazy("This session is no longer open for answers."))
    attendance = session.attendances.filter(user=user).first()
    was_going = attendance is not None and attendance.answer == Answer.YES
    was_holding_place = was_going and not attendance.waitlisted
    if attendance is None:
        attendance = Attendance(session=session, user=user)
    if was_going and answer == Answer.YES:
        return attendance
    attendance.answer = answer
    attendance.answered_at = timezone.now()
    attendance.waitlisted = False
    if answer == Answer.YES:
        full = session.capacity is not None and session.going_count >= session.capacity
        attendance.waitlisted = full
        session.going_count += 0 if full else 1
    attendance.save()
    if was_holding_place:
        session.going_count -= 1
        _promote_waiting(session)
    session.save(update_fields=["going_count"])
    return attendance


@transaction.atomic
def cancel_session(*, session: Session, by: User, reason: str = "") -> Session:
    reason = text(reason, Pairing, "close_reason")  # the reason a pairing ends holds as much
    session = _locked(session)
    if by.pk != session.host_id and not is_coordinator(user=by, cluster=session.cluster):
        raise NotAllowed()
    if session.is_cancelled:
        return session
    if session.held_confirmed_at is not None:
        raise DomainError(gettext_lazy("This session was held and confirmed; it stays."))
    _cancel(session, by=by, reason=reason)
    return session


def _cancel(session: Session, *, by: User, reason: str) -> None:
    """Cancel a locked session and tell everyone going or maybe going, but the one cancelling."""
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    going = User.objects.filter(
        session_attendances__session=session,
        session_attendances__answer__in=[Answer.YES, Answer.MAYBE],
    ).exclude(pk=by.pk)
    notify.tell(
        users=going,
        template="mentoring/email/session_cancelled",
        context={**_context(session), "reason": reason.strip()},
        event={
            "type": "session_cancelled",
            "text": _("Cancelled: %(title)s") % {"title": session.title},
            "url": session.get_absolute_url(),
        },
    )


@transaction.atomic
def cancel_upcoming_of_pairing(*, pairing: Pairing, by: User, reason: str) -> int:
    """A pairing ended: its sessions still to come are cancelled, attendees told why; those
    already begun stay, to be confirmed. Returns how many were cancelled."""
    upcoming = Session.objects.filter(
        pairing=pairing, status=Session.Status.SCHEDULED, starts_at__gt=timezone.now()
    )
    cancelled = 0
    for session in upcoming.order_by("starts_at", "pk"):
        _cancel(_locked(session), by=by, reason=reason)
        cancelled += 1
    return cancelled


@transaction.atomic
def mark_attendance(*, session: Session, by: User, attended: dict[int, bool]) -> int:
    """The host records who came (user id -> came); returns how many were recorded."""
    session = _locked(session)
    if by.pk != session.host_id:
        raise NotAllowed(gettext_lazy("Only the host records attendance."))
    if session.starts_at > timezone.now():
        raise DomainError(gettext_lazy("Attendance is recorded once the session has begun."))
    if session.is_cancelled:
        raise DomainError(gettext_lazy("This session was cancelled."))
    changed = 0
    rows = session.attendances.filter(
        user_id__in=list(attended), answer__in=["yes", "maybe"], waitlisted=False
    )
    for attendance in rows:
        attendance.attended = attended[attendance.user_id]
        attendance.save(update_fields=["attended"])
        changed += 1
    return changed


@transaction.atomic
def save_notes(*, session: Session, by: User, notes: str) -> Session:
    notes = text(notes, Session, "notes")
    session = _locked(session)
    if by.pk != session.host_id and not (session.pairing and session.pairing.involves(by)):
        raise NotAllowed()
    session.notes = notes.strip()
    session.save(update_fields=["notes", "updated_at"])
    return session


@transaction.atomic
def confirm_session(
    *,
    session: Session,
    follower: User,
    took_place: bool,
    useful: bool | None = None,
    rating: int | None = None,
    comment: str = "",
) -> SessionFeedback:
    """An attending follower says whether the session happened; only then does it count."""
    comment = text(comment, SessionFeedback, "comment")
    session = _locked(session)
    if session.ends_at > timezone.now():
        raise DomainError(gettext_lazy("You can confirm a session once it is over."))
    if not awaiting_confirmation(follower).filter(pk=session.pk).exists():
        if SessionFeedback.objects.filter(session=session, follower=follower).exists():
            raise DomainError(gettext_lazy("You have already confirmed this session."))
        raise NotAllowed(gettext_lazy("Only followers who attended confirm a session."))
    if rating is not None and not 1 <= rating <= 5:
        raise DomainError(gettext_lazy("Rate from 1 to 5."))
    try:
        with transaction.atomic():
            feedback = SessionFeedback.objects.create(
                session=session,
                follower=follower,
                took_place=took_place,
                useful=useful if took_place else None,
                rating=rating if took_place else None,
                comment=comment.strip()[:2000],
            )
    except IntegrityError:
        raise DomainError(gettext_lazy("You have already confirmed this session.")) from None
    if took_place:
        if session.held_confirmed_at is None:
            session.held_confirmed_at = timezone.now()
            session.save(update_fields=["held_confirmed_at"])
        _report_held(session, follower)
    return feedback


def _report_held(session: Session, follower: User) -> None:
    """Tell incentives: a confirmed session may earn its host a credit (the rules decide)."""
    report = {
        "cluster": session.cluster,
        "source": session,
        "occurred_at": session.starts_at,
        "title": session.title,
        "url": session.get_absolute_url(),
        "hours": Decimal(session.duration_minutes) / 60,
    }
    if session.pairing_id:
        record_contribution(
            kind=ContributionKind.SESSION_HELD,
            actor=session.pairing.mentor,
            counterpart=follower,
            confirmed_by=follower,
            **report,
        )
    else:
        attended = _independent_confirmations(session).count()
        record_contribution(
            kind=ContributionKind.GROUP_SESSION, actor=session.host, attendees=attended, **report
        )


def _independent_confirmations(session: Session) -> QuerySet[SessionFeedback]:
    """Attendees' confirmations that the session took place, less those of the host's own
    organization now (someone may have joined the host's firm since confirming)."""
    confirmed = session.feedback.filter(took_place=True)
    organization_id = organization_id_of(session.host) if session.host_id else None
    if organization_id is None:
        return confirmed
    return confirmed.exclude(follower__profile__organization_id=organization_id)


def send_due_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind everyone going to sessions starting within a day; each session once."""
    now = now or timezone.now()
    due = Session.objects.filter(
        status=Session.Status.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_AHEAD,
    )
    sent = 0
    for session in due.select_related("cluster"):
        with transaction.atomic():
            # Claiming the row first: two reminder runs never both send.
            claimed = Session.objects.filter(pk=session.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            people = User.objects.filter(
                Q(pk=session.host_id)
                | Q(
                    session_attendances__session=session,
                    session_attendances__answer__in=[Answer.YES, Answer.MAYBE],
                    session_attendances__waitlisted=False,
                )
            ).distinct()
            notify.tell(
                users=people,
                template="mentoring/email/session_reminder",
                context=_context(session),
            )
            sent += 1
    return sent


@transaction.atomic
def withdraw_erased_member(*, user: User) -> None:
    """A member erased their account: the sessions they host that are still to come are
    cancelled (attendees told), and their places in others' sessions go to the waiting list."""
    now = timezone.now()
    hosted = Session.objects.filter(host=user, status=Session.Status.SCHEDULED, starts_at__gt=now)
    for session in hosted.order_by("pk"):
        cancel_session(session=session, by=user)
    mine = Attendance.objects.filter(
        user=user, session__status=Session.Status.SCHEDULED, session__starts_at__gt=now
    )
    for attendance in mine.order_by("session_id"):
        session = _locked(attendance.session)
        held_place = attendance.answer == Answer.YES and not attendance.waitlisted
        attendance.delete()
        if held_place:
            session.going_count -= 1
            _promote_waiting(session)
            session.save(update_fields=["going_count"])
    # Their words about others' sessions go; that the session took place stays.
    SessionFeedback.objects.filter(follower=user).exclude(comment="").update(comment="")
