"""Offers, needs and pairings: every change goes through here, whichever page or test asks."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.text import clean_text, storable
from forums import services as forums
from forums.models import Topic
from mentoring import matching
from mentoring.models import (
    MAX_CAPACITY,
    CalendarFeed,
    MentoringNeeds,
    MentorOffer,
    Pairing,
    Session,
    Suggestion,
)
from network import notify
from network.erasure import scrub
from network.models import Cluster, Membership, User

Status = Pairing.Status
Role = Membership.Role


class MentoringError(Exception):
    """A request the rules refuse; the message is shown to the person as it is."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(MentoringError):
    def __init__(self, message=None) -> None:
        super().__init__(message or gettext_lazy("You cannot do this."))


def _membership(user: User, cluster: Cluster) -> Membership | None:
    return Membership.objects.filter(
        user=user, cluster=cluster, status=Membership.Status.ACTIVE
    ).first()


def is_coordinator(user: User, cluster: Cluster) -> bool:
    membership = _membership(user, cluster)
    return membership is not None and membership.role == Role.COORDINATOR


def _name(user: User) -> str:
    return user.profile.display_name or user.email


def _tell(users: Iterable[User], template: str, pairing: Pairing, text: str, **context) -> None:
    notify.tell(
        users=list(users),
        template=f"mentoring/email/{template}",
        context={
            "mentor": _name(pairing.mentor),
            "follower": _name(pairing.follower),
            "cluster_name": pairing.cluster.name,
            "url": notify.absolute_url(pairing.get_absolute_url()),
            **context,
        },
        event={"type": f"pairing_{template}", "text": text, "url": pairing.get_absolute_url()},
    )


# --- Offers and needs ----------------------------------------------------------------


def text(value: object, model, field: str, label=None) -> str:
    """Free text, trimmed and storable, or refused when longer than its field holds."""
    return clean_text(value, model=model, field=field, error=MentoringError, label=label)


def _clean_list(values: Iterable[str]) -> list[str]:
    return sorted({storable(str(value)).strip() for value in values if value} - {""})


def _clean_topics(topics: Iterable[str]) -> list[str]:
    # What the offer and needs forms hold, for every caller (taggit keeps 100 characters).
    topics = _clean_list(str(topic).lower() for topic in topics)
    if len(topics) > 10:
        raise MentoringError(gettext_lazy("At most 10 topics."))
    if any(len(topic) > 50 for topic in topics):
        raise MentoringError(gettext_lazy("Each topic is at most 50 characters."))
    return topics


@transaction.atomic
def save_offer(
    *,
    user: User,
    cluster: Cluster,
    capacity: int,
    products: Iterable[str] = (),
    markets: Iterable[str] = (),
    languages: Iterable[str] = (),
    topics: Iterable[str] = (),
    is_paused: bool = False,
    accepts_competitors: bool = False,
    pitch: str = "",
) -> MentorOffer:
    pitch, topics = text(pitch, MentorOffer, "pitch"), _clean_topics(topics)
    membership = _membership(user, cluster)
    if membership is None or membership.role not in (Role.MENTOR, Role.COORDINATOR):
        raise NotAllowed(gettext_lazy("Only the cluster's mentors can offer mentoring here."))
    if not 1 <= capacity <= MAX_CAPACITY:
        raise MentoringError(
            _("Capacity must be between 1 and %(max)d mentees.") % {"max": MAX_CAPACITY}
        )
    offer, _created = MentorOffer.objects.select_for_update().get_or_create(
        user=user, cluster=cluster
    )
    offer.capacity = capacity
    offer.products = _clean_list(products)
    offer.markets = _clean_list(markets)
    offer.languages = _clean_list(languages)
    offer.is_paused = is_paused
    offer.accepts_competitors = accepts_competitors
    offer.pitch = pitch.strip()
    offer.save()
    offer.topics.set(topics)
    if is_paused:
        # A paused mentor stops being shown at once, not when suggestions expire.
        Suggestion.objects.filter(offer=offer).delete()
    return offer


@transaction.atomic
def save_needs(
    *,
    user: User,
    products: Iterable[str] = (),
    markets: Iterable[str] = (),
    languages: Iterable[str] = (),
    topics: Iterable[str] = (),
    stage: str = MentoringNeeds._meta.get_field("stage").default,
    note: str = "",
) -> MentoringNeeds:
    note, topics = text(note, MentoringNeeds, "note"), _clean_topics(topics)
    needs, _created = MentoringNeeds.objects.get_or_create(user=user)
    needs.products = _clean_list(products)
    needs.markets = _clean_list(markets)
    needs.languages = _clean_list(languages)
    needs.stage = stage
    needs.note = note.strip()
    needs.save()
    needs.topics.set(topics)
    Suggestion.objects.filter(follower=user).delete()
    return needs


# --- Pairings ------------------------------------------------------------------------


def _locked(pairing: Pairing) -> Pairing:
    return (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("cluster", "mentor__profile", "follower__profile")
        .get(pk=pairing.pk)
    )


def _create(**fields) -> Pairing:
    try:
        with transaction.atomic():
            return Pairing.objects.create(**fields)
    except IntegrityError:
        raise MentoringError(
            gettext_lazy("These two people already have an open pairing in this cluster.")
        ) from None


@transaction.atomic
def request_mentor(*, follower: User, offer: MentorOffer, message: str = "") -> Pairing:
    message = text(message, Pairing, "message")
    offer = MentorOffer.objects.select_related("cluster", "user__profile").get(pk=offer.pk)
    if _membership(follower, offer.cluster) is None:
        raise MentoringError(
            _("Join %(cluster)s first: mentoring happens inside a cluster.")
            % {"cluster": offer.cluster.name}
        )
    if _membership(offer.user, offer.cluster) is None or offer.is_paused:
        raise MentoringError(gettext_lazy("This mentor is not taking mentees at the moment."))
    match, excluded = matching.match_for(offer=offer, follower=follower)
    if excluded:
        raise MentoringError(gettext_lazy("This mentor cannot take your request."))
    pairing = _create(
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
    Suggestion.objects.filter(follower=follower, offer=offer).delete()
    _tell(
        [offer.user],
        "requested",
        pairing,
        _("%(name)s asks you to be their mentor.") % {"name": _name(follower)},
        message=pairing.message,
    )
    return pairing


def _activate(pairing: Pairing) -> None:
    # The offer row lock serialises acceptances: two of them cannot both take the last place.
    offer = MentorOffer.objects.select_for_update().get(pk=pairing.offer_id)
    if offer.active_mentees >= offer.capacity:
        raise MentoringError(gettext_lazy("The mentor has no place left: every place is taken."))
    MentorOffer.objects.filter(pk=offer.pk).update(active_mentees=F("active_mentees") + 1)
    pairing.status = Status.ACTIVE
    pairing.started_at = timezone.now()
    title = _("Mentoring: %(mentor)s and %(follower)s") % {
        "mentor": _name(pairing.mentor),
        "follower": _name(pairing.follower),
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
        raise MentoringError(error.message) from None
    Suggestion.objects.filter(follower=pairing.follower).delete()


@transaction.atomic
def accept_pairing(*, pairing: Pairing, by: User) -> Pairing:
    pairing = _locked(pairing)
    if pairing.status not in (Status.REQUESTED, Status.PROPOSED):
        raise MentoringError(gettext_lazy("This pairing is no longer waiting for an answer."))
    now = timezone.now()
    if by.pk == pairing.mentor_id and pairing.mentor_accepted_at is None:
        pairing.mentor_accepted_at = now
    elif by.pk == pairing.follower_id and pairing.follower_accepted_at is None:
        pairing.follower_accepted_at = now
    elif pairing.involves(by):
        raise MentoringError(gettext_lazy("You have already accepted; the other side has not."))
    else:
        raise NotAllowed()
    gone = [
        p for p in (pairing.mentor, pairing.follower) if _membership(p, pairing.cluster) is None
    ]
    if gone:
        raise MentoringError(
            _("%(name)s is no longer an active member of %(cluster)s.")
            % {"name": _name(gone[0]), "cluster": pairing.cluster.name}
        )
    if pairing.mentor_accepted_at and pairing.follower_accepted_at:
        _activate(pairing)
        pairing.save()
        _tell(
            [pairing.mentor, pairing.follower],
            "active",
            pairing,
            _("The mentoring of %(follower)s by %(mentor)s has started.")
            % {"follower": _name(pairing.follower), "mentor": _name(pairing.mentor)},
        )
    else:
        pairing.save()
        other = pairing.follower if by.pk == pairing.mentor_id else pairing.mentor
        _tell(
            [other],
            "accepted_by_one",
            pairing,
            _("%(name)s accepted the proposed pairing; your answer is awaited.")
            % {"name": _name(by)},
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
        raise MentoringError(gettext_lazy("This pairing is no longer waiting for an answer."))
    if by.pk == pairing.follower_id and pairing.status == Status.REQUESTED:
        _close(pairing, by=by, status=Status.WITHDRAWN, reason=reason)
        _tell([pairing.mentor], "withdrawn", pairing, _("A mentoring request was withdrawn."))
        return pairing
    if not pairing.involves(by):
        raise NotAllowed()
    _close(pairing, by=by, status=Status.DECLINED, reason=reason)
    other = pairing.follower if by.pk == pairing.mentor_id else pairing.mentor
    _tell(
        [other],
        "declined",
        pairing,
        _("%(name)s declined the mentoring.") % {"name": _name(by)},
        reason=pairing.close_reason,
    )
    return pairing


@transaction.atomic
def end_pairing(*, pairing: Pairing, by: User, reason: str, completed: bool = False) -> Pairing:
    """Either side, or a coordinator, ends an active pairing; ending needs a reason. Its
    sessions still to come are cancelled and the people going told."""
    reason = text(reason, Pairing, "close_reason")
    pairing = _locked(pairing)
    if pairing.status != Status.ACTIVE:
        raise MentoringError(gettext_lazy("Only an active pairing can be ended."))
    if not (pairing.involves(by) or is_coordinator(by, pairing.cluster)):
        raise NotAllowed()
    if not completed and not reason.strip():
        raise MentoringError(gettext_lazy("Say briefly why the mentoring ends."))
    _close(pairing, by=by, status=Status.COMPLETED if completed else Status.ENDED, reason=reason)
    # sessions builds on this module, so it is imported here rather than at the top.
    from mentoring import sessions

    sessions.cancel_upcoming_of_pairing(pairing=pairing, by=by, reason=pairing.close_reason)
    others = [person for person in (pairing.mentor, pairing.follower) if person.pk != by.pk]
    _tell(
        others,
        "closed",
        pairing,
        _("The mentoring of %(follower)s by %(mentor)s has ended.")
        % {"follower": _name(pairing.follower), "mentor": _name(pairing.mentor)},
        reason=pairing.close_reason,
        completed=completed,
    )
    return pairing


@transaction.atomic
def close_pairings_of_former_member(*, user: User, cluster: Cluster) -> list[Pairing]:
    """Someone left the cluster or was suspended: their open pairings there close.

    A request they made is withdrawn; a request or proposal waiting for them is declined;
    an active pairing ends, freeing the mentor's place, and its upcoming sessions are
    cancelled. The other side is told why. Nothing happens while they are still active.
    """
    if _membership(user, cluster) is not None:
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
        "name": _name(user),
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
            _tell(
                [other],
                "closed",
                pairing,
                _("The mentoring of %(follower)s by %(mentor)s has ended.")
                % {"follower": _name(pairing.follower), "mentor": _name(pairing.mentor)},
                reason=pairing.close_reason,
                completed=False,
            )
        elif pairing.status == Status.REQUESTED and pairing.follower_id == user.pk:
            _close(pairing, by=None, status=Status.WITHDRAWN, reason=reason)
            _tell([other], "withdrawn", pairing, _("A mentoring request was withdrawn."))
        else:
            _close(pairing, by=None, status=Status.DECLINED, reason=reason)
            _tell([other], "declined", pairing, reason, reason=pairing.close_reason)
    return pairings


# --- Cohort matching -----------------------------------------------------------------


@transaction.atomic
def publish_cohort(*, cluster: Cluster, by: User, choices: dict[int, int | None]) -> list[Pairing]:
    """Turn the coordinator's draft (follower id -> offer id) into proposals both sides accept."""
    if not is_coordinator(by, cluster):
        raise NotAllowed(gettext_lazy("Only the cluster's coordinators can match a cohort."))
    # Two coordinators publishing at once must not both promise a mentor's last place.
    list(MentorOffer.objects.filter(cluster=cluster).order_by("pk").select_for_update())
    cohort = matching.cohort_with_choices(cluster, choices)
    unknown = {
        follower_id
        for follower_id, offer_id in choices.items()
        if offer_id and not any(p.follower.pk == follower_id and p.offer for p in cohort.pairs)
    }
    if unknown:
        raise MentoringError(
            gettext_lazy(
                "Some chosen pairs are no longer possible (the follower was matched, or the "
                "mentor paused or is a competitor). Review the draft again."
            )
        )
    taken: dict[int, int] = {}
    for pair in cohort.pairs:
        if pair.offer:
            taken[pair.offer.pk] = taken.get(pair.offer.pk, 0) + 1
    full = [offer for offer in cohort.offers if taken.get(offer.pk, 0) > offer.open_places]
    if full:
        raise MentoringError(
            _("Too many followers for %(names)s: each mentor takes at most their places left.")
            % {"names": ", ".join(_name(offer.user) for offer in full)}
        )
    created = []
    for pair in cohort.pairs:
        if pair.offer is None:
            continue
        pairing = _create(
            cluster=cluster,
            offer=pair.offer,
            mentor=pair.offer.user,
            follower=pair.follower,
            status=Status.PROPOSED,
            origin=Pairing.Origin.COHORT,
            proposed_by=by,
            score=pair.match.score,
            reasons=pair.match.reasons,
        )
        _tell(
            [pairing.mentor, pairing.follower],
            "proposed",
            pairing,
            _("A coordinator proposes a mentoring pairing to you."),
        )
        created.append(pairing)
    if not created:
        raise MentoringError(gettext_lazy("The draft pairs nobody: there is nothing to publish."))
    return created


@transaction.atomic
def forget_erased_member(*, user: User, names: Iterable[str]) -> None:
    """A member erased their account (network.erasure): what they offered, needed and wrote
    to a mentor goes; the pairings stay, closed, as the other side's history.

    Their pairings were already closed as they left each cluster; an offer is kept (its
    pairings point at it) but paused and emptied, so no one is matched with it again.
    """
    offers = MentorOffer.objects.filter(user=user)
    for offer in offers:
        offer.topics.clear()
    offers.update(
        is_paused=True, pitch="", products=[], markets="", languages=[], updated_at=timezone.now()
    )
    Suggestion.objects.filter(Q(follower=user) | Q(offer__user=user)).delete()
    needs = MentoringNeeds.objects.filter(user=user).first()
    if needs is not None:
        needs.topics.clear()
        needs.delete()
    CalendarFeed.objects.filter(user=user).delete()
    Pairing.objects.filter(follower=user).exclude(message="").update(message="")
    names = list(names)
    # Reasons written when they left a cluster earlier named them.
    for pairing in Pairing.objects.filter(Q(mentor=user) | Q(follower=user)).exclude(
        close_reason=""
    ):
        reason = scrub(pairing.close_reason, names)
        if reason != pairing.close_reason:
            Pairing.objects.filter(pk=pairing.pk).update(close_reason=reason)
