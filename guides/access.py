"""Who may read, write, review and manage a guide: the one place these rules live."""

from django.db.models import Q, QuerySet

from guides.models import Guide
from network.models import Membership, User

Role, Status = Membership.Role, Membership.Status
WRITER_ROLES = (Role.MENTOR, Role.COORDINATOR)


def role_in(user, cluster_id: int) -> str | None:
    """The user's role in the cluster if their membership is active, cached on the user."""
    if not user.is_authenticated:
        return None
    cache = getattr(user, "_guide_roles", None)
    if cache is None:
        cache = user._guide_roles = {}
    if cluster_id not in cache:
        cache[cluster_id] = (
            Membership.objects.filter(user=user, cluster_id=cluster_id, status=Status.ACTIVE)
            .values_list("role", flat=True)
            .first()
        )
    return cache[cluster_id]


def is_author(user, guide: Guide) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(guide, "_author_ids", None)
    if cache is None:
        cache = guide._author_ids = set(guide.authors.values_list("pk", flat=True))
    return user.pk in cache


def is_coordinator(user, guide: Guide) -> bool:
    return role_in(user, guide.cluster_id) == Role.COORDINATOR


def other_reviewers(guide: Guide) -> QuerySet[User]:
    """The cluster's active coordinators who did not write the guide."""
    return User.objects.filter(
        memberships__cluster_id=guide.cluster_id,
        memberships__role=Role.COORDINATOR,
        memberships__status=Status.ACTIVE,
    ).exclude(guides_written=guide)


def can_write_in(user, cluster_id: int) -> bool:
    """Mentors write guides (and coordinators, who often are experienced exporters too)."""
    return role_in(user, cluster_id) in WRITER_ROLES


def can_manage(user, guide: Guide) -> bool:
    """Authors and the cluster's coordinators see drafts, the review trail and corrections."""
    return is_author(user, guide) or is_coordinator(user, guide)


def can_read(user, guide: Guide) -> bool:
    if can_manage(user, guide):
        return True
    if guide.current_version_id is None:
        return False
    return (
        guide.visibility == Guide.Visibility.NETWORK or role_in(user, guide.cluster_id) is not None
    )


def readable_guides(user: User) -> QuerySet[Guide]:
    """Published guides a reader may find: network-wide ones, and their own clusters'."""
    guides = Guide.objects.filter(current_version__isnull=False).exclude(
        status=Guide.Status.ARCHIVED
    )
    shared = Q(visibility=Guide.Visibility.NETWORK)
    if not user.is_authenticated:
        return guides.filter(shared)
    clusters = Membership.objects.filter(user=user, status=Status.ACTIVE).values("cluster_id")
    return guides.filter(shared | Q(cluster__in=clusters))
