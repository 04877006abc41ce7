"""A cluster's forum, and the private conversations of two or more of its members."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.text import clean_text
from forums.models import Room
from forums.services._shared import refused
from network.models import Cluster, User


def forum_of(cluster: Cluster) -> Room:
    """The cluster's forum, made the first time anyone needs it."""
    room, _created = Room.objects.get_or_create(cluster=cluster, kind=Room.Kind.FORUM)
    return room


@transaction.atomic
def open_conversation(
    *, cluster: Cluster, by: User, participants: Iterable[User], title: str
) -> Room:
    """A private room for two or more active members of one cluster (e.g. a pairing)."""
    title = clean_text(title, model=Room, field="title", error=refused)
    people = {by, *participants}
    active = set(
        cluster.memberships.active().filter(user__in=people).values_list("user_id", flat=True)
    )
    if len(people) < 2 or {person.pk for person in people} - active:
        raise DomainError(_("Everyone in a conversation must be an active member of the cluster."))
    room = Room.objects.create(cluster=cluster, kind=Room.Kind.CONVERSATION, title=title)
    room.participants.set(people)
    return room


@transaction.atomic
def close_conversation(*, room: Room, completed: bool) -> Room:
    """The conversation's purpose is over (its pairing completed, or ended otherwise): it
    stays to read, and nobody writes in it any more. Closing twice keeps the first closing."""
    if room.is_forum:
        raise ValueError("Only a private conversation is closed; a forum is locked by topic.")
    because = Room.ClosedBecause.COMPLETED if completed else Room.ClosedBecause.ENDED
    Room.objects.filter(pk=room.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_because=because
    )
    room.refresh_from_db(fields=["closed_at", "closed_because"])
    return room
