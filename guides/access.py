"""Who may read, write, review and manage a guide: the one place these rules live."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from guides.models import Guide
from network import selectors as network_selectors
from network.models import Membership, User

Role, Status = Membership.Role, Membership.Status
WRITER_ROLES = (Role.MENTOR, Role.COORDINATOR)


def _membership(user, cluster_id: int) -> Membership | None:
    """The user's active membership of the cluster, asked once and cached on the user."""
    if not user.is_authenticated:
        return None
    cache = getattr(user, "_guide_memberships", None)
    if cache is None:
        cache = user._guide_memberships = {}
    if cluster_id not in cache:
        cache[cluster_id] = (
            Membership.objects.active().of(user).filter(cluster_id=cluster_id).first()
        )
    return cache[cluster_id]


def role_in(user, cluster_id: int) -> str | None:
    """The user's role in the cluster if their membership is active."""
    membership = _membership(user, cluster_id)
    return membership.role if membership is not None else None


def is_author(user, guide: Guide) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(guide, "_author_ids", None)
    if cache is None:
        cache = guide._author_ids = set(guide.authors.values_list("pk", flat=True))
    return user.pk in cache


def is_coordinator(user, guide: Guide) -> bool:
    """Network's one rule (Membership.is_coordinator), on the membership already asked for."""
    membership = _membership(user, guide.cluster_id)
    return membership is not None and membership.is_coordinator


def other_reviewers(guide: Guide) -> QuerySet[User]:
    """The cluster's active coordinators who did not write the guide."""
    coordinators = Membership.objects.coordinators().filter(cluster_id=guide.cluster_id)
    return User.objects.filter(pk__in=coordinators.values("user_id")).exclude(guides_written=guide)


def sponsoring_agency_ids(cluster_id: int) -> set[int]:
    """The agencies sponsoring the cluster by an accepted agreement: the one place guides ask."""
    return network_selectors.sponsoring_agency_ids(cluster_id)


def agency_reviewers(guide: Guide) -> QuerySet[User]:
    """Who reviews a guide that every coordinator of its cluster wrote: the officers of the
    cluster's sponsoring agency (none when another coordinator can, or nobody sponsors it)."""
    agency_ids = sponsoring_agency_ids(guide.cluster_id)
    if not agency_ids or other_reviewers(guide).exists():
        return User.objects.none()
    return User.objects.filter(profile__organization_id__in=agency_ids).exclude(
        guides_written=guide
    )


def is_agency_reviewer(user, guide: Guide) -> bool:
    if not user.is_authenticated or is_author(user, guide):
        return False
    # Most readers work for no agency: asked first, it spares them the other questions.
    profile = getattr(user, "profile", None)
    organization_id = profile.organization_id if profile is not None else None
    if organization_id is None or organization_id not in sponsoring_agency_ids(guide.cluster_id):
        return False
    return not other_reviewers(guide).exists()


def can_review(user, guide: Guide) -> bool:
    """Another coordinator returns or publishes a guide; where every coordinator wrote it, the
    sponsoring agency's officers do; with no agency either, the sole coordinator does, and
    the trail says so (services.publish)."""
    if is_coordinator(user, guide):
        if not is_author(user, guide):
            return True
        return not other_reviewers(guide).exists() and not agency_reviewers(guide).exists()
    return is_agency_reviewer(user, guide)


def can_write_in(user, cluster_id: int) -> bool:
    """Mentors write guides (and coordinators, who often are experienced exporters too)."""
    return role_in(user, cluster_id) in WRITER_ROLES


def can_manage(user, guide: Guide) -> bool:
    """Authors and the cluster's coordinators see drafts, the review trail and corrections;
    so do the agency's officers who review it."""
    return is_author(user, guide) or is_coordinator(user, guide) or is_agency_reviewer(user, guide)


@dataclass(frozen=True)
class Management:
    """What one author, coordinator or reviewer may do with a guide as it stands now: the
    buttons of its management box, each granted on the rule its service checks again."""

    edit: bool
    submit: bool
    review: bool  # publish it, or return it to its authors
    review_by_another: bool  # a coordinator who wrote it, told another one reviews it
    confirm: bool
    flag: bool
    archive: bool
    add_author: bool
    changes_waiting: bool  # a published guide with a working copy not yet published

    @classmethod
    def of(cls, user, guide: Guide) -> "Management":
        Status = Guide.Status
        author, coordinator = is_author(user, guide), is_coordinator(user, guide)
        reviews = can_review(user, guide)
        in_review, archived = guide.status == Status.REVIEW, guide.status == Status.ARCHIVED
        published = guide.current_version_id is not None
        return cls(
            edit=author and not in_review and not archived,
            submit=author and guide.status == Status.DRAFT,
            review=in_review and reviews,
            review_by_another=in_review and coordinator and not reviews,
            confirm=published and guide.status in (Status.PUBLISHED, Status.NEEDS_REVIEW),
            flag=coordinator and guide.status == Status.PUBLISHED,
            archive=coordinator and not archived,
            add_author=author and not archived,
            changes_waiting=published and guide.status in (Status.DRAFT, Status.REVIEW),
        )


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
    clusters = Membership.objects.active().of(user).values("cluster_id")
    return guides.filter(shared | Q(cluster__in=clusters))
