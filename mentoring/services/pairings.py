"""Pairings, from a follower's request or a coordinator's proposal to the end: each change
locks the pairing, checks who may make it, and tells the other side."""

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from forums import services as forums
from forums.models import Topic
from incentives.services import ContributionKind, record_contribution
from mentoring.models import MentorOffer, Pairing, Session, Suggestion
from mentoring.selectors.matching import match_for
from mentoring.services import sessions
from mentoring.services.common import active_membership, name_of, tell, text
from network.models import Cluster, User
from network.selectors import is_coordinator

Status = Pairing.Status


def _locked(pairing: Pairing) -> Pairing:
    return (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("cluster", "mentor__profile", "follower__profile")
        .get(pk=pairing.pk)
    )


def create_pairing(**fields) -> Pairing:
    """The one insert of a pairing, whether requested or proposed; two open pairings of the
    same people in one cluster are refused (the database holds that rule)."""
    try:
        with transaction.atomic():
            return Pairing.objects.create(**fields)
    except IntegrityError:
        raise DomainError(
            gettext_lazy("These two people already have an open pairing in this cluster.")
        ) from None


@transaction.atomic
def request_mentor(*, follower: User, offer: MentorOffer, message: str = "") -> Pairing:
    message = text(message, Pairing, "message")
    offer = MentorOffer.objects.select_related("cluster", "user__profile").get(pk=offer.pk)
    if active_membership(follower, offer.cluster) is None:
        raise DomainError(
            _("Join %(cluster)s first: mentoring happens inside a cluster.")
            % {"cluster": offer.cluster.name}
        )
    if active_membership(offer.user, offer.cluster) is None or offer.is_paused:
        raise DomainError(gettext_lazy("This mentor is not taking mentees at the moment."))
    match, excluded = match_for(offer=offer, follower=follower)
    if excluded:
        raise DomainError(gettext_lazy("This mentor cannot take your request."))
    pairing = create_pairing(
        cluster=offer.cluster,
        offer=offer,
        mentor=offer.user,
        follower=follower,
        status=Status.REQUESTED,
        origin=Pairing.Origin.REQUEST,
        message=message.strip()[:2000],
        score=match.score,
        reasons=match.reasons,
        follower_accepted_at=timezone.now(),
    )
    # The place it held is now held by the request itself.
    Suggestion.objects.filter(follower=follower, offer=offer).delete()
    tell(
        [offer.user],
        "requested",
        pairing,
        _("%(name)s asks you to be their mentor.") % {"name": name_of(follower)},
        message=pairing.message,
    )
    return pairing


def _activate(pairing: Pairing) -> None:
    # The offer row lock serialises acceptances: two of them cannot both take the last place.
    offer = MentorOffer.objects.select_for_update().get(pk=pairing.offer_id)
    if offer.active_mentees >= offer.capacity:
        raise DomainError(gettext_lazy("The mentor has no place left: every place is taken."))
    MentorOffer.objects.filter(pk=offer.pk).update(active_mentees=F("active_mentees") + 1)
    pairing.status = Status.ACTIVE
    pairing.started_at = timezone.now()
    title = _("Mentoring: %(mentor)s and %(follower)s") % {
        "mentor": name_of(pairing.mentor),
        "follower": name_of(pairing.follower),
    }
    # Two long names make a title longer than a topic holds; it is ours, so it is cut.
    title = title[: Topic._meta.get_field("title").max_length]
    try:
        room = forums.open_conversation(
            cluster=pairing.cluster,
            by=pairing.mentor,
            participants=[pairing.follower],
            title=title,
        )
        pairing.conversation = forums.start_topic(
            room=room,
            author=pairing.mentor,
            title=title,
            body=_("Welcome! This conversation is private to the two of us."),
        )
    except DomainError as error:
        # Whatever the forum refuses, the person accepting may still answer: it is the
        # pairing that cannot start, so the refusal is shown, never a 403.
        raise DomainError(error.message) from None
    Suggestion.objects.filter(follower=pairing.follower).delete()
    _report_first_pairing(pairing)


def first_pairing_source(mentor: User) -> str:
    """One source per person: incentives credits a contribution per source at most once."""
    return f"mentoring.first_pairing:{mentor.pk}"


def _report_first_pairing(pairing: Pairing) -> None:
    """A mentor's first pairing ever to start may earn a "first-time mentor" reward, where a
    programme's rules say so; the follower (or a coordinator, per the rule) confirms it."""
    earlier = (
        Pairing.objects.filter(mentor=pairing.mentor, started_at__isnull=False)
        .exclude(pk=pairing.pk)
        .exists()
    )
    if earlier:
        return
    record_contribution(
        kind=ContributionKind.FIRST_PAIRING,
        actor=pairing.mentor,
        counterpart=pairing.follower,
        cluster=pairing.cluster,
        source=first_pairing_source(pairing.mentor),
        occurred_at=pairing.started_at,
        title=name_of(pairing.follower),
        url=pairing.get_absolute_url(),
    )


@transaction.atomic
def accept_pairing(*, pairing: Pairing, by: User) -> Pairing:
    pairing = _locked(pairing)
    if pairing.status not in (Status.REQUESTED, Status.PROPOSED):
        raise DomainError(gettext_lazy("This pairing is no longer waiting for an answer."))
    now = timezone.now()
    if by.pk == pairing.mentor_id and pairing.mentor_accepted_at is None:
        pairing.mentor_accepted_at = now
    elif by.pk == pairing.follower_id and pairing.follower_accepted_at is None:
        pairing.follower_accepted_at = now
    elif pairing.involves(by):
        raise DomainError(gettext_lazy("You have already accepted; the other side has not."))
    else:
        raise NotAllowed()
    gone = [
        p
        for p in (pairing.mentor, pairing.follower)
        if active_membership(p, pairing.cluster) is None
    ]
    if gone:
        raise DomainError(
            _("%(name)s is no longer an active member of %(cluster)s.")
            % {"name": name_of(gone[0]), "cluster": pairing.cluster.name}
        )
    if pairing.mentor_accepted_at and pairing.follower_accepted_at:
        _activate(pairing)
        pairing.save()
        tell(
            [pairing.mentor, pairing.follower],
            "active",
            pairing,
            _("The mentoring of %(follower)s by %(mentor)s has started.")
            % {"follower": name_of(pairing.follower), "mentor": name_of(pairing.mentor)},
        )
    else:
        pairing.save()
        other = pairing.follower if by.pk == pairing.mentor_id else pairing.mentor
        tell(
            [other],
            "accepted_by_one",
            pairing,
            _("%(name)s accepted the proposed pairing; your answer is awaited.")
            % {"name": name_of(by)},
        )
    return pairing


def _close(pairing: Pairing, *, by: User | None, status: str, reason: str) -> None:
    was_active = pairing.status == Status.ACTIVE
    pairing.status = status
    pairing.closed_at = timezone.now()
    pairing.closed_by = by
    pairing.close_reason = reason.strip()[:500]
    pairing.save()
    if pairing.conversation_id is not None:
        # Kept to read, closed to writing: the mentoring it served is over.
        forums.close_conversation(
            room=pairing.conversation.room, completed=status == Status.COMPLETED
        )
    if was_active:
        MentorOffer.objects.filter(pk=pairing.offer_id, active_mentees__gt=0).update(
            active_mentees=F("active_mentees") - 1
        )


@transaction.atomic
def decline_pairing(*, pairing: Pairing, by: User, reason: str = "") -> Pairing:
    """The mentor declines a request, or either side a coordinator's proposal."""
    reason = text(reason, Pairing, "close_reason")
    pairing = _locked(pairing)
    if pairing.status not in (Status.REQUESTED, Status.PROPOSED):
        raise DomainError(gettext_lazy("This pairing is no longer waiting for an answer."))
    if by.pk == pairing.follower_id and pairing.status == Status.REQUESTED:
        _close(pairing, by=by, status=Status.WITHDRAWN, reason=reason)
        tell([pairing.mentor], "withdrawn", pairing, _("A mentoring request was withdrawn."))
        return pairing
    if not pairing.involves(by):
        raise NotAllowed()
    _close(pairing, by=by, status=Status.DECLINED, reason=reason)
    other = pairing.follower if by.pk == pairing.mentor_id else pairing.mentor
    tell(
        [other],
        "declined",
        pairing,
        _("%(name)s declined the mentoring.") % {"name": name_of(by)},
        reason=pairing.close_reason,
    )
    return pairing


def _tell_ended(users: list[User], pairing: Pairing, *, completed: bool) -> None:
    tell(
        users,
        "closed",
        pairing,
        _("The mentoring of %(follower)s by %(mentor)s has ended.")
        % {"follower": name_of(pairing.follower), "mentor": name_of(pairing.mentor)},
        reason=pairing.close_reason,
        completed=completed,
    )


@transaction.atomic
def end_pairing(*, pairing: Pairing, by: User, reason: str, completed: bool = False) -> Pairing:
    """Either side, or a coordinator, ends an active pairing; ending needs a reason. Its
    sessions still to come are cancelled and the people going told."""
    reason = text(reason, Pairing, "close_reason")
    pairing = _locked(pairing)
    if pairing.status != Status.ACTIVE:
        raise DomainError(gettext_lazy("Only an active pairing can be ended."))
    if not (pairing.involves(by) or is_coordinator(user=by, cluster=pairing.cluster)):
        raise NotAllowed()
    if not completed and not reason.strip():
        raise DomainError(gettext_lazy("Say briefly why the mentoring ends."))
    _close(pairing, by=by, status=Status.COMPLETED if completed else Status.ENDED, reason=reason)
    sessions.cancel_upcoming_of_pairing(pairing=pairing, by=by, reason=pairing.close_reason)
    others = [person for person in (pairing.mentor, pairing.follower) if person.pk != by.pk]
    _tell_ended(others, pairing, completed=completed)
    return pairing


@transaction.atomic
def close_pairings_of_former_member(*, user: User, cluster: Cluster) -> list[Pairing]:
    """Someone left the cluster or was suspended: their open pairings there close.

    A request they made is withdrawn; a request or proposal waiting for them is declined;
    an active pairing ends, freeing the mentor's place, and its upcoming sessions are
    cancelled. The other side is told why. Nothing happens while they are still active.
    """
    if active_membership(user, cluster) is not None:
        return []
    pairings = list(
        Pairing.objects.select_for_update(of=("self",))
        .select_related("cluster", "mentor__profile", "follower__profile")
        .filter(Q(mentor=user) | Q(follower=user), cluster=cluster, status__in=Pairing.OPEN)
        .order_by("pk")
    )
    if not pairings:
        return []
    reason = _("%(name)s is no longer an active member of %(cluster)s.") % {
        "name": name_of(user),
        "cluster": cluster.name,
    }
    now = timezone.now()
    for pairing in pairings:
        other = pairing.follower if pairing.mentor_id == user.pk else pairing.mentor
        if pairing.status == Status.ACTIVE:
            _close(pairing, by=None, status=Status.ENDED, reason=reason)
            # Nobody would come: the other side should not keep them in their calendar.
            Session.objects.filter(
                pairing=pairing, status=Session.Status.SCHEDULED, starts_at__gt=now
            ).update(status=Session.Status.CANCELLED, updated_at=now)
            _tell_ended([other], pairing, completed=False)
        elif pairing.status == Status.REQUESTED and pairing.follower_id == user.pk:
            _close(pairing, by=None, status=Status.WITHDRAWN, reason=reason)
            tell([other], "withdrawn", pairing, _("A mentoring request was withdrawn."))
        else:
            _close(pairing, by=None, status=Status.DECLINED, reason=reason)
            tell([other], "declined", pairing, reason, reason=pairing.close_reason)
    return pairings
