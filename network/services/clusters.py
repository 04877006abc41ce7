"""Creating a cluster and editing what it says about itself."""

import secrets

from django.db import transaction
from django.utils.text import slugify

from core.errors import DomainError
from core.text import clean_text
from network.models import Cluster, Membership, MembershipEvent, User
from network.services.memberships import record_event, require_coordinator

EDITABLE = {"name", "sector", "country", "region", "description", "visibility"}


def _unique_slug(name: str) -> str:
    # Always a random suffix: one added only when the name is taken, or a counter, would
    # tell whoever creates a cluster that a private cluster of that name exists.
    base = slugify(name)[:150] or "cluster"
    while True:
        slug = f"{base}-{secrets.token_hex(3)}"
        if not Cluster.objects.filter(slug=slug).exists():
            return slug


def _text(value: object, field: str) -> str:
    return clean_text(value, model=Cluster, field=field, error=DomainError)


@transaction.atomic
def create_cluster(
    *,
    creator: User,
    name: str,
    sector: str,
    country: str,
    region: str = "",
    description: str = "",
    visibility: str = Cluster.Visibility.PUBLIC,
) -> Cluster:
    """Create a cluster; its creator becomes its first coordinator.

    No sponsor here: an agency sponsors a cluster only by agreement
    (network.services.sponsorships).
    """
    name = _text(name, "name")
    cluster = Cluster.objects.create(
        name=name,
        slug=_unique_slug(name),
        sector=sector,
        country=country,
        region=_text(region, "region"),
        description=_text(description, "description"),
        visibility=visibility,
        created_by=creator,
        active_member_count=1,
    )
    Membership.objects.create(
        user=creator,
        cluster=cluster,
        role=Membership.Role.COORDINATOR,
        status=Membership.Status.ACTIVE,
    )
    record_event(
        cluster=cluster, action=MembershipEvent.Action.CREATED, actor=creator, subject=creator
    )
    return cluster


@transaction.atomic
def update_cluster(*, cluster: Cluster, by: User, **fields) -> Cluster:
    require_coordinator(cluster=cluster, by=by)
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    for field, value in fields.items():
        setattr(cluster, field, value.strip() if isinstance(value, str) else value)
    cluster.save()
    return cluster
