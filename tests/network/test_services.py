"""Membership and profile rules as the services enforce them, whoever calls."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from core.errors import DomainError, NotAllowed
from network.models import ExportProduct, Invitation, Membership, MembershipEvent
from network.services import invitations, memberships, organizations, profiles
from tests.factories import (
    OrganizationFactory,
    UserFactory,
    add_member,
    make_cluster,
)

pytestmark = pytest.mark.django_db

Role, Status = Membership.Role, Membership.Status


def test_creator_becomes_coordinator_and_is_counted():
    creator = UserFactory()
    cluster = make_cluster(coordinator=creator)
    membership = Membership.objects.get(cluster=cluster)
    assert (membership.user, membership.role, membership.status) == (
        creator,
        Role.COORDINATOR,
        Status.ACTIVE,
    )
    assert cluster.active_member_count == 1
    assert MembershipEvent.objects.filter(cluster=cluster, action="created").count() == 1


def test_slugs_stay_unique_for_equal_names():
    first = make_cluster(name="Café del Huila")
    second = make_cluster(name="Café del Huila")
    assert first.slug.startswith("cafe-del-huila-")
    assert second.slug.startswith("cafe-del-huila-") and second.slug != first.slug


def test_reinviting_renews_the_open_invitation():
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    first = invitations.invite_member(
        cluster=cluster, by=coordinator, email="a@example.org", role="follower"
    )
    second = invitations.invite_member(
        cluster=cluster, by=coordinator, email="A@example.org", role="mentor"
    )
    assert first.pk == second.pk and first.token != second.token
    assert Invitation.objects.get().role == "mentor"


def test_inviting_an_active_member_is_refused():
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    member = add_member(cluster)
    with pytest.raises(DomainError):
        invitations.invite_member(
            cluster=cluster, by=coordinator, email=member.email, role="mentor"
        )
    assert not Invitation.objects.exists()


def test_only_coordinators_invite():
    cluster = make_cluster()
    follower = add_member(cluster)
    with pytest.raises(NotAllowed):
        invitations.invite_member(
            cluster=cluster, by=follower, email="x@example.org", role="mentor"
        )


def test_private_cluster_takes_no_join_requests():
    cluster = make_cluster(visibility="private")
    with pytest.raises(DomainError):
        memberships.request_to_join(cluster=cluster, user=UserFactory(), role="follower")
    assert cluster.memberships.count() == 1


def test_cannot_request_as_coordinator_or_twice():
    cluster = make_cluster()
    user = UserFactory()
    with pytest.raises(DomainError):
        memberships.request_to_join(cluster=cluster, user=user, role="coordinator")
    memberships.request_to_join(cluster=cluster, user=user, role="follower")
    with pytest.raises(DomainError):
        memberships.request_to_join(cluster=cluster, user=user, role="follower")
    assert cluster.memberships.filter(status=Status.REQUESTED).count() == 1


def test_member_who_left_may_ask_again():
    cluster = make_cluster()
    user = add_member(cluster, status=Status.LEFT)
    membership = memberships.request_to_join(cluster=cluster, user=user, role="mentor")
    assert (membership.status, membership.role) == (Status.REQUESTED, Role.MENTOR)


def test_last_coordinator_cannot_be_demoted_but_can_hand_over():
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    own = Membership.objects.get(user=coordinator, cluster=cluster)
    with pytest.raises(DomainError):
        memberships.change_role(membership=own, by=coordinator, role="mentor")
    other = Membership.objects.get(user=add_member(cluster), cluster=cluster)
    memberships.change_role(membership=other, by=coordinator, role="coordinator")
    memberships.change_role(membership=own, by=coordinator, role="mentor")
    own.refresh_from_db()
    assert own.role == Role.MENTOR


def test_counter_follows_every_status_change():
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    user = UserFactory()
    membership = memberships.request_to_join(cluster=cluster, user=user, role="follower")
    memberships.approve_request(membership=membership, by=coordinator)
    memberships.suspend_member(membership=membership, by=coordinator)
    memberships.reinstate_member(membership=membership, by=coordinator)
    memberships.leave_cluster(membership=membership)
    cluster.refresh_from_db()
    active = cluster.memberships.filter(status=Status.ACTIVE).count()
    assert cluster.active_member_count == active == 1


def test_answered_request_cannot_be_answered_again():
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    membership = memberships.request_to_join(cluster=cluster, user=UserFactory(), role="follower")
    memberships.approve_request(membership=membership, by=coordinator)
    with pytest.raises(DomainError):
        memberships.decline_request(membership=membership, by=coordinator)
    membership.refresh_from_db()
    assert membership.status == Status.ACTIVE


def test_organization_saves_products_and_markets():
    profile = UserFactory().profile
    organization = organizations.save_organization(
        profile=profile,
        name="Cafés del Sur",
        kind="firm",
        country="CO",
        size="small",
        sector="agrifood",
        first_export_year=2015,
        exported_codes=["0901"],
        planned_codes=["2101"],
        markets=["DE", "US"],
    )
    assert profile.organization == organization
    assert {(p.hs_code, p.status) for p in organization.products.all()} == {
        ("0901", "exports"),
        ("2101", "planned"),
    }
    assert sorted(str(m.country) for m in organization.markets.all()) == ["DE", "US"]
    assert organization.products.get(hs_code="0901").name.startswith("Coffee")


def test_product_cannot_be_exported_and_planned():
    profile = UserFactory().profile
    with pytest.raises(DomainError):
        organizations.save_organization(
            profile=profile,
            name="X",
            kind="firm",
            country="CO",
            exported_codes=["0901"],
            planned_codes=["0901"],
        )
    assert profile.organization is None


def test_someone_elses_organization_cannot_be_edited():
    owner = UserFactory().profile
    organization = organizations.save_organization(
        profile=owner, name="Mine", kind="firm", country="PE"
    )
    with pytest.raises(NotAllowed):
        organizations.save_organization(
            profile=UserFactory().profile,
            organization=organization,
            name="Taken",
            kind="firm",
            country="PE",
        )
    organization.refresh_from_db()
    assert organization.name == "Mine"


def test_unknown_hs_code_fails_validation():
    product = ExportProduct(organization=OrganizationFactory(), hs_code="0199")
    with pytest.raises(ValidationError):
        product.full_clean()


def test_every_account_gets_a_profile():
    user = UserFactory(email="maria.lopez@example.org")
    assert user.profile.display_name == "maria.lopez"


def test_profile_rejects_unknown_language_and_time_zone():
    profile = UserFactory().profile
    for languages, zone in [(["xx"], "UTC"), (["es"], "Mars/Olympus")]:
        with pytest.raises(DomainError):
            profiles.update_profile(
                profile=profile, display_name="Ana", languages=languages, time_zone=zone
            )
    profile.refresh_from_db()
    assert (profile.languages, profile.time_zone) == ([], "UTC")


def test_unverified_address_does_not_make_an_invitee():
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator, visibility="private")
    claimant = UserFactory()
    EmailAddress.objects.create(user=claimant, email="victim@example.org", verified=False)
    invitations.invite_member(
        cluster=cluster, by=coordinator, email="victim@example.org", role="follower"
    )
    assert not Membership.objects.filter(user=claimant, cluster=cluster).exists()


def test_taken_slug_gets_a_random_suffix_not_a_counter():
    make_cluster(name="Secret Cafe", visibility="private")
    second = make_cluster(name="Secret Cafe")
    assert second.slug.startswith("secret-cafe-") and second.slug != "secret-cafe-2"


def test_deleting_an_account_keeps_the_member_count_true():
    cluster = make_cluster()
    member = add_member(cluster)
    cluster.refresh_from_db()
    assert cluster.active_member_count == 2
    member.delete()
    cluster.refresh_from_db()
    assert cluster.active_member_count == 1
