"""Pairings the viewer may see, and those waiting for their answer."""

from django.db.models import Q, QuerySet
from django.http import Http404

from core import memo
from core.compiled import compiled_read
from mentoring.models import Pairing
from network.models import User
from network.selectors import is_coordinator

Status = Pairing.Status


def _pairings() -> QuerySet[Pairing]:
    return Pairing.objects.select_related("cluster", "mentor__profile", "follower__profile")


def pairing_for(user: User, pairing_id: int) -> Pairing:
    """The pairing if the viewer is one of the two or coordinates its cluster; 404 otherwise."""
    pairing = _pairings().filter(pk=pairing_id).first()
    if pairing is None or not user.is_authenticated:
        raise Http404
    if not (pairing.involves(user) or is_coordinator(user=user, cluster=pairing.cluster)):
        raise Http404
    return pairing


# A pairing's line on the mentoring page (mentoring/_pairing_item.html, and those waiting for
# an answer): the other person, the cluster, the state and who has answered. Reading no more
# columns than the line shows halves what building each statement costs.
LINE = (
    "status",
    "mentor_accepted_at",
    "follower_accepted_at",
    "cluster__name",
    "mentor__profile__display_name",
    "follower__profile__display_name",
)


def my_pairings(user: User) -> list[Pairing]:
    """Open pairings of this person, as lines, the latest changed first."""
    return _open_lines(member=user.pk)


@compiled_read()
def _open_lines(p):
    mine = Q(mentor=p.member) | Q(follower=p.member)
    return (
        _pairings()
        .filter(mine, status__in=Pairing.OPEN)
        .only(*LINE)
        .order_by("-updated_at", "-id")
    )


def past_pairings(user: User, limit: int = 20) -> list[Pairing]:
    return _past_lines(member=user.pk, limit=limit)


@compiled_read(shape=("limit",))
def _past_lines(p, *, limit: int):
    return (
        _pairings()
        .filter(Q(mentor=p.member) | Q(follower=p.member))
        .exclude(status__in=Pairing.OPEN)
        .only(*LINE)
        .order_by("-updated_at", "-id")[:limit]
    )


def has_open_pairing(follower: User) -> bool:
    return Pairing.objects.filter(follower=follower, status__in=Pairing.OPEN).exists()


def open_pairing_offer_ids(follower: User) -> list[int]:
    """Offers of the follower's open pairings, read once per page (core.memo): suggestions
    leave them out and the follower's panel says whether one is open."""
    return memo.once(
        ("open_pairings", follower.pk),
        lambda: _open_pairing_offers(follower=follower.pk),
    )


@compiled_read()
def _open_pairing_offers(p):
    return Pairing.objects.filter(follower=p.follower, status__in=Pairing.OPEN).values_list(
        "offer_id", flat=True
    )


def requests_to_answer(mentor: User) -> QuerySet[Pairing]:
    """Open pairings waiting for this mentor's answer (`waiting_for`, on the mentor's side,
    as one condition), the latest first, as on the mentoring page."""
    return Pairing.objects.filter(
        mentor=mentor,
        status__in=[Status.REQUESTED, Status.PROPOSED],
        mentor_accepted_at__isnull=True,
    ).order_by("-updated_at", "-id")


def waiting_for(user: User, pairings) -> list[Pairing]:
    """Open pairings that need this person's answer."""
    return [
        p
        for p in pairings
        if p.status in (Status.REQUESTED, Status.PROPOSED)
        and (
            (p.mentor_id == user.pk and p.mentor_accepted_at is None)
            or (p.follower_id == user.pk and p.follower_accepted_at is None)
        )
    ]


def active_pairings_as_follower(user: User) -> list[Pairing]:
    """The pairings in which this person is mentored now: where a goal they adopt goes."""
    return list(
        _pairings().filter(follower=user, status=Pairing.Status.ACTIVE).order_by("started_at")
    )
