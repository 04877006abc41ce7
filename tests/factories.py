"""The tests' one vocabulary for building a network: people with profiles, firms, agencies and
their officers, clusters, memberships by role, sponsorships and forum rooms.

Each test world (tests/<app>/conftest.py, tests/security/world.py) is built from these, so a
new test reaches for the same words. Clusters are made through `network.services` (their
creator becomes coordinator, the trail is written); memberships and sponsorships are written
directly, to arrange a starting point without the flow that normally leads there.
"""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from forums.models import Room
from network import services
from network.models import Cluster, Membership, Organization, Sponsorship, User

PASSWORD = "a-long-test-password-41"
Role, Status = Membership.Role, Membership.Status


def named(user: User, name: str) -> User:
    """The person renamed, their handle following the name as it does when they rename."""
    profile = user.profile
    profile.display_name = name
    profile.handle = services.unique_handle(name, excluding=profile)
    profile.save()
    return user


class OrganizationFactory(factory.django.DjangoModelFactory):
    """A small exporting firm."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Firm {n}")
    country = "CO"
    size = Organization.Size.SMALL


class AgencyFactory(OrganizationFactory):
    """A public export-promotion agency: it sponsors clusters and runs programmes."""

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Organization.Kind.AGENCY
    size = ""


class UserFactory(factory.django.DjangoModelFactory):
    """A person who can sign in (verified address, PASSWORD), with the profile every account has.

    `name` sets the display name (and the handle follows); `organization` and `languages` go
    on the profile too. Without them the profile is the one an account starts with.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    # The profile's, not the user's: taken off before the user is made (see _create).
    name = None
    organization = None
    languages = None

    @classmethod
    def _create(cls, model_class, *args, name=None, organization=None, languages=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if organization is not None:
            user.profile.organization = organization
        if languages is not None:
            user.profile.languages = list(languages)
        if name:
            named(user, name)  # saves the profile with the rest
        elif organization is not None or languages is not None:
            user.profile.save()
        return user

    @classmethod
    def _build(cls, model_class, *args, name=None, organization=None, languages=None, **kwargs):
        return super()._build(model_class, *args, **kwargs)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        user.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class OfficerFactory(UserFactory):
    """An agency's officer: a person whose profile names the agency."""

    organization = factory.SubFactory(AgencyFactory)


class ClusterFactory(factory.django.DjangoModelFactory):
    """A cluster made as a person makes one: its `coordinator` creates it.

    `sponsor=agency` adds an active sponsorship by that agency.
    """

    class Meta:
        model = Cluster
        skip_postgeneration_save = True

    name = factory.LazyFunction(lambda: f"Cluster {Cluster.objects.count() + 1}")
    sector = "agrifood"
    country = "CO"
    visibility = Cluster.Visibility.PUBLIC
    coordinator = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, coordinator, **fields):
        return services.create_cluster(creator=coordinator, **fields)

    @factory.post_generation
    def sponsor(cluster, create, extracted, **kwargs):
        if create and extracted is not None:
            SponsorshipFactory(cluster=cluster, agency=extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership written directly: an active follower unless `role` or `status` say else."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    cluster = factory.SubFactory(ClusterFactory)
    role = Role.FOLLOWER
    status = Status.ACTIVE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        membership = super()._create(model_class, *args, **kwargs)
        if membership.status == Status.ACTIVE:
            # The services keep this count; a row written directly must keep it true too.
            cluster = membership.cluster
            Cluster.objects.filter(pk=cluster.pk).update(
                active_member_count=cluster.memberships.active().count()
            )
        return membership


class SponsorshipFactory(factory.django.DjangoModelFactory):
    """A sponsorship written directly: active, or with `offered=True` offered by the agency
    and not yet answered."""

    class Meta:
        model = Sponsorship

    class Params:
        offered = factory.Trait(
            status=Sponsorship.Status.OFFERED,
            proposed_by_side=Sponsorship.Side.AGENCY,
            decided_at=None,
        )

    cluster = factory.SubFactory(ClusterFactory)
    agency = factory.SubFactory(AgencyFactory)
    status = Sponsorship.Status.ACTIVE
    proposed_by_side = Sponsorship.Side.CLUSTER
    decided_at = factory.LazyFunction(timezone.now)


class ForumFactory(factory.django.DjangoModelFactory):
    """A cluster's forum room, the one `forums.services.forum_of` finds or makes."""

    class Meta:
        model = Room
        django_get_or_create = ("cluster", "kind")

    cluster = factory.SubFactory(ClusterFactory)
    kind = Room.Kind.FORUM


# The words most tests arrange their starting point with.


def make_cluster(
    *, coordinator=None, visibility=Cluster.Visibility.PUBLIC, name=None, sponsor=None, **extra
) -> Cluster:
    """A cluster whose coordinator (made if not given) created it, sponsored if `sponsor`."""
    given = {"coordinator": coordinator, "name": name}
    fields = {key: value for key, value in given.items() if value is not None}
    return ClusterFactory(visibility=visibility, sponsor=sponsor, **fields, **extra)


def sponsor_directly(cluster, agency) -> Sponsorship:
    """An active sponsorship written directly, for arranging a test's starting point."""
    return SponsorshipFactory(cluster=cluster, agency=agency)


def add_member(cluster, user=None, *, role=Role.FOLLOWER, status=Status.ACTIVE) -> User:
    """A member written directly (a new person unless `user`), for arranging a starting point."""
    extra = {"user": user} if user is not None else {}
    return MembershipFactory(cluster=cluster, role=role, status=status, **extra).user
