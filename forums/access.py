"""Who may read, write and moderate in a room: the one place these rules live."""

from forums.models import Room
from network.models import Membership

Role, Status = Membership.Role, Membership.Status


def _membership(user, room: Room) -> Membership | None:
    if not user.is_authenticated:
        return None
    cache = getattr(user, "_forum_memberships", None)
    if cache is None:
        cache = user._forum_memberships = {}
    if room.cluster_id not in cache:
        cache[room.cluster_id] = Membership.objects.filter(
            user=user, cluster_id=room.cluster_id, status=Status.ACTIVE
        ).first()
    return cache[room.cluster_id]


def can_read(user, room: Room) -> bool:
    """A public cluster's forum is open to readers; private clusters and conversations are not."""
    if room.is_forum and room.cluster.is_public:
        return True
    return can_write(user, room)


def can_write(user, room: Room) -> bool:
    if _membership(user, room) is None:
        return False
    if room.is_forum:
        return True
    return room.participants.filter(pk=user.pk).exists()


def can_moderate(user, room: Room) -> bool:
    membership = _membership(user, room)
    return membership is not None and membership.role == Role.COORDINATOR
