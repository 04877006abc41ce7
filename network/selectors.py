"""Reads the network pages need, already shaped, and the visibility rules they rest on."""

from dataclasses import dataclass

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from core import memo
from core.compiled import compiled_read
from core.pagination import KeysetPage, keyset_page
from network.models import (
    Cluster,
    ExportMarket,
    ExportProduct,
    Invitation,
    Membership,
    MembershipEvent,
    Organization,
    Profile,
    Sponsorship,
    User,
)

Status = Membership.Status


def _active_cluster_ids(user: User):
    return Membership.objects.of(user).active().values("cluster_id")


def visible_clusters(user: User) -> QuerySet[Cluster]:
    """Public clusters, and private ones where the person is an active member."""
    if not user.is_authenticated:
        return Cluster.objects.filter(visibility=Cluster.Visibility.PUBLIC)
    return Cluster.objects.filter(
        Q(visibility=Cluster.Visibility.PUBLIC) | Q(pk__in=_active_cluster_ids(user))
    )


def with_sponsors(clusters: QuerySet[Cluster]) -> QuerySet[Cluster]:
    """Each cluster with `active_sponsorships`: the agencies that accepted to sponsor it."""
    return clusters.prefetch_related(_active_sponsorships())


def _active_sponsorships() -> Prefetch:
    return Prefetch(
        "sponsorships",
        queryset=Sponsorship.objects.filter(status=Sponsorship.Status.ACTIVE)
        .select_related("agency")
        .order_by("decided_at", "id"),
        to_attr="active_sponsorships",
    )


def sponsor_of(cluster: Cluster) -> Organization | None:
    """The cluster's first sponsoring agency, for what knows of one sponsor only."""
    sponsorship = (
        Sponsorship.objects.filter(cluster=cluster, status=Sponsorship.Status.ACTIVE)
        .select_related("agency")
        .order_by("decided_at", "id")
        .first()
    )
    return sponsorship.agency if sponsorship else None


def sponsored_clusters(agency: Organization) -> QuerySet[Cluster]:
    """The clusters this agency sponsors by an accepted, unrevoked agreement."""
    return Cluster.objects.filter(
        Exists(
            Sponsorship.objects.filter(
                cluster=OuterRef("pk"), agency=agency, status=Sponsorship.Status.ACTIVE
            )
        )
    ).order_by("name", "id")


def sponsoring_agency_ids(cluster_id: int) -> set[int]:
    """The agencies that sponsor the cluster by an accepted, unrevoked agreement."""
    return set(
        Sponsorship.objects.filter(
            cluster_id=cluster_id, status=Sponsorship.Status.ACTIVE
        ).values_list("agency_id", flat=True)
    )


def is_sponsored_by(cluster_id: int, agency_id: int) -> bool:
    return Sponsorship.objects.filter(
        cluster_id=cluster_id, agency_id=agency_id, status=Sponsorship.Status.ACTIVE
    ).exists()


_SPONSORSHIP_PEOPLE = ("requested_by__profile", "decided_by__profile", "revoked_by__profile")
# A sponsorship's line (network/_sponsorship_row.html): its state, since when and by whom;
# the other side's name is added by each list. Reading no more columns than the line shows
# spares building three people's whole rows, their password hashes included.
SPONSORSHIP_LINE = (
    "status",
    "created_at",
    "decided_at",
    "revoked_at",
    "requested_by__profile__display_name",
    "decided_by__profile__display_name",
    "revoked_by__profile__display_name",
)


def cluster_sponsorships(cluster: Cluster) -> dict:
    """What the coordinators' Sponsorship section shows: agreements, proposals, the past."""
    open_rows = _cluster_sponsorships(cluster=cluster.pk, still_open=True)
    taken = [row.agency_id for row in open_rows]
    return {
        "active": [row for row in open_rows if row.is_active],
        "offers": [row for row in open_rows if row.status == Sponsorship.Status.OFFERED],
        "requests": [row for row in open_rows if row.status == Sponsorship.Status.REQUESTED],
        "past": _cluster_sponsorships(cluster=cluster.pk, still_open=False),
        "agencies": Organization.objects.filter(kind=Organization.Kind.AGENCY)
        .exclude(pk__in=taken)
        .order_by("name"),
    }


@compiled_read(shape=("still_open",))
def _cluster_sponsorships(p, *, still_open: bool):
    rows = (
        Sponsorship.objects.filter(cluster=p.cluster)
        .select_related(*_SPONSORSHIP_PEOPLE, "agency")
        .only(*SPONSORSHIP_LINE, "agency__name")
    )
    if still_open:
        return rows.filter(status__in=Sponsorship.OPEN)
    return rows.exclude(status__in=Sponsorship.OPEN)[:10]


def agency_sponsorships(agency: Organization, *, after: str | None = None) -> dict:
    """What an agency's officers see: clusters sponsored, requests to answer, offers made."""
    rows = (
        Sponsorship.objects.filter(agency=agency)
        .select_related(*_SPONSORSHIP_PEOPLE, "cluster")
        .only(*SPONSORSHIP_LINE, "cluster__name")
    )
    active = rows.filter(status=Sponsorship.Status.ACTIVE).annotate(name=F("cluster__name"))
    return {
        "active": keyset_page(active, ordering=("name", "id"), after=after, per_page=50),
        "requests": list(rows.filter(status=Sponsorship.Status.REQUESTED)[:100]),
        "offers": list(rows.filter(status=Sponsorship.Status.OFFERED)[:100]),
        "past": list(rows.exclude(status__in=Sponsorship.OPEN)[:20]),
    }


def clusters_to_invite(*, viewer: User, agency: Organization, q: str) -> list[Cluster]:
    """Clusters the officer can see whose names match, without an agreement with the agency."""
    if not q.strip():
        return []
    taken = Sponsorship.objects.filter(
        cluster=OuterRef("pk"), agency=agency, status__in=Sponsorship.OPEN
    )
    return list(
        visible_clusters(viewer)
        .filter(Q(name__icontains=q.strip()) | Q(region__icontains=q.strip()))
        .exclude(Exists(taken))
        .order_by("name", "id")[:20]
    )


def cluster_for(user: User, slug: str) -> Cluster:
    """The cluster if this person may see it; 404 otherwise, never a hint it exists."""
    if user.is_authenticated:
        found = _cluster_seen_by(member=user.pk, slug=slug)
    else:
        found = _public_cluster(slug=slug)
    if not found:
        raise Http404
    # Prefetched apart: a compiled read's statement is shared, its Prefetch would be too.
    prefetch_related_objects(found, _active_sponsorships())
    return found[0]


@compiled_read()
def _cluster_seen_by(p):
    visible = Q(visibility=Cluster.Visibility.PUBLIC) | Q(pk__in=_active_cluster_ids(p.member))
    return Cluster.objects.filter(visible, slug=p.slug).order_by("pk")[:1]


@compiled_read()
def _public_cluster(p):
    public = Cluster.objects.filter(visibility=Cluster.Visibility.PUBLIC, slug=p.slug)
    return public.order_by("pk")[:1]


def membership_of(user: User, cluster: Cluster) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, cluster=cluster).first()


def cluster_list(
    *,
    viewer: User,
    q: str = "",
    sector: str = "",
    country: str = "",
    after: str | None = None,
    per_page: int = 20,
) -> KeysetPage:
    clusters = with_sponsors(visible_clusters(viewer))
    if q:
        clusters = clusters.filter(Q(name__icontains=q) | Q(region__icontains=q))
    if sector:
        clusters = clusters.filter(sector=sector)
    if country:
        clusters = clusters.filter(country=country)
    return keyset_page(clusters, ordering=("name", "id"), after=after, per_page=per_page)


@dataclass(frozen=True)
class DirectoryFilters:
    role: str = ""
    country: str = ""
    product: str = ""
    market: str = ""
    tag: str = ""


def expertise_tags(text: str) -> QuerySet[Tag]:
    """The tags `text` names, whatever its case and whether its words are joined by spaces or
    hyphens: "Specialty coffee" and "specialty-coffee" name the same expertise."""
    words = text.replace("-", " ").split()
    if not words:
        return Tag.objects.none()
    spaced = " ".join(words)
    return Tag.objects.filter(
        Q(name__iexact=spaced) | Q(name__iexact="-".join(words)) | Q(slug=slugify(spaced))
    )


def member_directory(
    *,
    viewer: User,
    cluster: Cluster | None = None,
    filters: DirectoryFilters = DirectoryFilters(),
    after: str | None = None,
    per_page: int = 24,
) -> KeysetPage:
    """Active members of the clusters the viewer may see (or of one cluster), filtered."""
    memberships = Membership.objects.active()
    if cluster is not None:
        memberships = memberships.filter(cluster=cluster)
    else:
        memberships = memberships.filter(cluster__in=visible_clusters(viewer).values("pk"))
    if filters.role:
        memberships = memberships.filter(role=filters.role)

    people = Profile.objects.filter(Exists(memberships.filter(user=OuterRef("user"))))
    if filters.country:
        people = people.filter(organization__country=filters.country)
    if filters.product:
        people = people.filter(
            Exists(
                ExportProduct.objects.filter(
                    organization=OuterRef("organization"), hs_code__startswith=filters.product
                )
            )
        )
    if filters.market:
        people = people.filter(
            Exists(
                ExportMarket.objects.filter(
                    organization=OuterRef("organization"), country=filters.market
                )
            )
        )
    if filters.tag:
        tagged = Profile.objects.filter(expertise__in=expertise_tags(filters.tag))
        people = people.filter(pk__in=tagged.values("pk"))
    if cluster is not None:
        people = people.annotate(
            role=Subquery(memberships.filter(user=OuterRef("user")).values("role")[:1])
        )
    people = people.select_related("organization").prefetch_related("expertise")
    page = keyset_page(
        people, ordering=("display_name", "user_id"), after=after, per_page=per_page
    )
    for profile in page.items:
        role = getattr(profile, "role", None)
        profile.role_label = Membership.Role(role).label if role else ""
    return page


def profile_for(viewer: User, user_id: int) -> Profile:
    """A profile the viewer may see: their own, or one active in a cluster they can see."""
    profiles = Profile.objects.select_related("organization", "user").prefetch_related(
        "expertise", "organization__products", "organization__markets"
    )
    if not (viewer.is_authenticated and viewer.pk == user_id):
        profiles = profiles.filter(
            Exists(
                Membership.objects.active().filter(
                    user=OuterRef("user"), cluster__in=visible_clusters(viewer).values("pk")
                )
            )
        )
    profile = profiles.filter(user_id=user_id).first()
    if profile is None:
        raise Http404
    return profile


def visible_memberships_of(*, viewer: User, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.of(user)
        .active()
        .filter(cluster__in=visible_clusters(viewer).values("pk"))
        .select_related("cluster")
        .order_by("cluster__name")
    )


def my_memberships(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .exclude(status=Status.LEFT)
        .select_related("cluster")
        .order_by("cluster__name")
    )


def memberships_of(user: User) -> list[Membership]:
    """This person's memberships not left, clusters selected, by cluster name: read once per
    page (core.memo), so every panel of "My network" asks without another query."""
    if not getattr(user, "is_authenticated", False):
        return []
    return memo.once(("memberships", user.pk), lambda: _memberships_not_left(member=user.pk))


@compiled_read()
def _memberships_not_left(p):
    return my_memberships(p.member)


def active_memberships_of(user: User) -> list[Membership]:
    return [m for m in memberships_of(user) if m.status == Status.ACTIVE]


def active_roles_of(user: User) -> set[str]:
    return {m.role for m in active_memberships_of(user)}


def coordinated_clusters_of(user: User) -> list[Cluster]:
    """The clusters this person is an active coordinator of, by name."""
    coordinator = Membership.Role.COORDINATOR
    return [m.cluster for m in active_memberships_of(user) if m.role == coordinator]


def open_invitations_of(user: User) -> list[Invitation]:
    """Invitations waiting for this person at any address of theirs that is verified, read
    in one query (the addresses as a subquery, compared in lower case)."""
    invitations = _invitations_to(member=user.pk)
    return [invitation for invitation in invitations if not invitation.is_expired]


@compiled_read()
def _invitations_to(p):
    from allauth.account.models import EmailAddress

    verified = (
        EmailAddress.objects.filter(user=p.member, verified=True)
        .annotate(address=Lower("email"))
        .values("address")
    )
    return Invitation.objects.filter(
        email__in=verified, accepted_at=None, declined_at=None, revoked_at=None
    ).select_related("cluster")


def join_requests_to_review(user: User, *, limit: int) -> list[Membership]:
    """The first requests waiting in the clusters this person coordinates, oldest first: who
    asks to join which cluster, as what (all a line of "My network" shows)."""
    if not coordinated_clusters_of(user):
        return []
    return _requests_to_review(coordinator=user.pk, limit=limit)


@compiled_read(shape=("limit",))
def _requests_to_review(p, *, limit: int):
    coordinated = Membership.objects.coordinators().filter(user=p.coordinator)
    return (
        Membership.objects.filter(
            cluster__in=coordinated.values("cluster_id"), status=Status.REQUESTED
        )
        .select_related("cluster", "user__profile")
        .only("role", "cluster__name", "cluster__slug", "user__profile__display_name")
        .order_by("created_at", "id")[:limit]
    )


def cluster_management(cluster: Cluster, *, after: str | None = None) -> dict:
    """What a coordinator's page shows: requests, open invitations, members, recent events."""
    members = _memberships_in(cluster.pk).filter(status__in=[Status.ACTIVE, Status.SUSPENDED])
    return {
        "requests": _join_requests(cluster=cluster.pk),
        "members": keyset_page(
            members.annotate(name=F("user__profile__display_name")),
            ordering=("name", "id"),
            after=after,
            per_page=50,
        ),
        "invitations": _open_invitations(cluster=cluster.pk, now=timezone.now()),
        "events": _membership_events(cluster=cluster.pk),
    }


def _memberships_in(cluster) -> QuerySet[Membership]:
    # Each list reads what its lines show (network/cluster_manage.html): the person's name
    # and firm, not their whole account.
    return (
        Membership.objects.filter(cluster=cluster)
        .select_related("user__profile__organization")
        .only(
            "user",
            "role",
            "status",
            "message",
            "user__profile__display_name",
            "user__profile__organization__name",
        )
    )


@compiled_read()
def _join_requests(p):
    requests = _memberships_in(p.cluster).filter(status=Status.REQUESTED)
    return requests.order_by("created_at", "id")[:50]


@compiled_read()
def _open_invitations(p):
    return Invitation.objects.filter(
        cluster=p.cluster,
        accepted_at=None,
        declined_at=None,
        revoked_at=None,
        expires_at__gt=p.now,
    ).only("email", "role", "expires_at")[:50]


@compiled_read()
def _membership_events(p):
    return (
        MembershipEvent.objects.filter(cluster=p.cluster)
        .select_related("actor__profile", "subject__profile")
        .only(
            "action",
            "email",
            "detail",
            "created_at",
            "actor__profile__display_name",
            "subject__profile__display_name",
        )[:30]
    )


def public_clusters(limit: int = 6) -> QuerySet[Cluster]:
    return with_sponsors(Cluster.objects.filter(visibility=Cluster.Visibility.PUBLIC)).order_by(
        "-active_member_count", "name"
    )[:limit]


def is_coordinator(*, user, cluster: "Cluster | int") -> bool:
    """Whether this person is an active coordinator of this cluster (a Cluster or its id):
    the one answer every app asks for before letting someone run a cluster's affairs."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(_coordinating(member=user.pk, cluster=getattr(cluster, "pk", cluster)))


@compiled_read()
def _coordinating(p):
    coordinating = Membership.objects.coordinators().filter(user=p.member, cluster=p.cluster)
    return coordinating.values_list("pk", flat=True)[:1]


def coordinators_of(cluster: Cluster) -> QuerySet[User]:
    """The people who run this cluster: its active coordinators."""
    return User.objects.filter(
        pk__in=Membership.objects.coordinators().in_cluster(cluster).values("user_id")
    )


def agency_of(user: User) -> Organization | None:
    """The agency this person is an officer of: their organization, when it is one."""
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    if profile is None or profile.organization_id is None:
        return None
    if not Profile.organization.is_cached(profile):
        # Read as the profile would read it, by a statement built once (core.compiled).
        found = _organization(organization=profile.organization_id)
        if not found:
            return None
        profile.organization = found[0]
    organization = profile.organization
    return organization if organization.is_agency else None


@compiled_read()
def _organization(p):
    return Organization.objects.filter(pk=p.organization)


def officers_of(agency: Organization) -> QuerySet[User]:
    """The people who act for an agency: its members whose accounts are in use."""
    return User.objects.filter(
        profile__organization=agency, is_active=True, erased_at__isnull=True
    )
