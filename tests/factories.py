"""Small factories for the network's people, organizations and clusters."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from network import services
from network.models import Cluster, Membership, Organization, Sponsorship, User

PASSWORD = "a-long-test-password-41"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        user.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Firm {n}")
    country = "CO"
    size = Organization.Size.SMALL


class AgencyFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Organization.Kind.AGENCY
    size = ""


def make_cluster(
    *, coordinator=None, visibility=Cluster.Visibility.PUBLIC, name=None, sponsor=None, **extra
):
    coordinator = coordinator or UserFactory()
    cluster = services.create_cluster(
        creator=coordinator,
        name=name or f"Cluster {Cluster.objects.count() + 1}",
        sector="agrifood",
        country="CO",
        visibility=visibility,
        **extra,
    )
    if sponsor is not None:
        sponsor_directly(cluster, sponsor)
    return cluster


def sponsor_directly(cluster, agency) -> Sponsorship:
    """An active sponsorship written directly, for arranging a test's starting point."""
    return Sponsorship.objects.create(
        cluster=cluster,
        agency=agency,
        status=Sponsorship.Status.ACTIVE,
        proposed_by_side=Sponsorship.Side.CLUSTER,
        decided_at=timezone.now(),
    )


def add_member(
    cluster, user=None, *, role=Membership.Role.FOLLOWER, status=Membership.Status.ACTIVE
):
    """A membership written directly, for arranging a test's starting point."""
    user = user or UserFactory()
    Membership.objects.create(user=user, cluster=cluster, role=role, status=status)
    if status == Membership.Status.ACTIVE:
        Cluster.objects.filter(pk=cluster.pk).update(
            active_member_count=cluster.memberships.filter(status=status).count()
        )
    return user
