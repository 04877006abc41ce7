"""Membership journeys through the pages, with the emails each step sends."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import Invitation, Membership, MembershipEvent
from tests.factories import PASSWORD, UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db

Role, Status = Membership.Role, Membership.Status


def _link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_invite_by_email_then_new_person_signs_up_and_joins(client, mailoutbox, commit):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator, visibility="private")
    client.force_login(coordinator)

    with commit():
        response = client.post(
            reverse("cluster_invite", args=[cluster.slug]),
            {"email": "Newcomer@Example.org", "role": Role.MENTOR},
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    invitation_email = mailoutbox[0]
    assert invitation_email.to == ["newcomer@example.org"]
    assert cluster.name in invitation_email.subject
    link = _link_in(invitation_email)
    path = link.split("://", 1)[1].split("/", 1)[1]

    # The invitee has no account: the link offers sign-up with the invited address.
    client.logout()
    page = client.get(f"/{path}")
    assert page.status_code == 200
    assert b"newcomer%40example.org" in page.content
    mailoutbox.clear()
    with commit():
        response = client.post(
            reverse("account_signup") + f"?next=/{path}",
            {"email": "newcomer@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    # Holding the link proves the address: no second verification email, signed in at once.
    assert response.status_code == 302
    assert not [m for m in mailoutbox if "confirm" in m.subject.lower()]

    with commit():
        response = client.post(f"/{path}", {"answer": "accept", "display_name": "Nueva Mentora"})
    assert response.status_code == 302
    membership = Membership.objects.get(cluster=cluster, user__email="newcomer@example.org")
    assert (membership.role, membership.status) == (Role.MENTOR, Status.ACTIVE)
    cluster.refresh_from_db()
    assert cluster.active_member_count == 2
    assert [m.to for m in mailoutbox if "joined" in m.subject] == [[coordinator.email]]
    # The private cluster now opens for its new member.
    assert client.get(cluster.get_absolute_url()).status_code == 200


def test_existing_member_sees_invitation_and_declines(client, mailoutbox, commit):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    invitee = UserFactory()
    client.force_login(coordinator)
    with commit():
        client.post(
            reverse("cluster_invite", args=[cluster.slug]),
            {"email": invitee.email, "role": Role.FOLLOWER},
        )
    assert Membership.objects.get(user=invitee, cluster=cluster).status == Status.INVITED

    client.force_login(invitee)
    home = client.get(reverse("home"))
    invitation = Invitation.objects.get(cluster=cluster)
    assert invitation.get_absolute_url().encode() in home.content
    mailoutbox.clear()
    with commit():
        client.post(invitation.get_absolute_url(), {"answer": "decline"})
    assert not Membership.objects.filter(user=invitee, cluster=cluster).exists()
    assert [m.to for m in mailoutbox] == [[coordinator.email]]


def test_invitation_for_another_address_is_refused(client, commit):
    cluster = make_cluster(visibility="private")
    invitation = Invitation.objects.create(cluster=cluster, email="someone@example.org")
    intruder = UserFactory()
    client.force_login(intruder)
    with commit():
        response = client.post(
            invitation.get_absolute_url(),
            {"answer": "accept", "display_name": "Intrusa"},
            follow=True,
        )
    assert b"someone@example.org" in response.content
    assert not Membership.objects.filter(user=intruder, cluster=cluster).exists()


def test_expired_invitation_says_so_and_changes_nothing(client):
    cluster = make_cluster()
    invitee = UserFactory()
    invitation = Invitation.objects.create(cluster=cluster, email=invitee.email)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=30),
        expires_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(invitee)
    response = client.post(
        invitation.get_absolute_url(), {"answer": "accept", "display_name": "Intrusa"}, follow=True
    )
    assert b"expired" in response.content
    assert not Membership.objects.filter(user=invitee, cluster=cluster).exists()


def test_coordinator_withdraws_an_invitation_and_its_link_stops_working(client, commit):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator, visibility="private")
    invitee = UserFactory()
    client.force_login(coordinator)
    with commit():
        client.post(
            reverse("cluster_invite", args=[cluster.slug]),
            {"email": invitee.email, "role": Role.MENTOR},
        )
    invitation = Invitation.objects.get(cluster=cluster)
    manage = client.get(reverse("cluster_manage", args=[cluster.slug]))
    revoke_url = reverse("invitation_revoke", args=[cluster.slug, invitation.pk])
    assert revoke_url.encode() in manage.content

    response = client.post(revoke_url, follow=True)
    assert f"Invitation to {invitee.email} withdrawn".encode() in response.content
    assert (
        invitee.email.encode()
        not in response.content.split(b"Open invitations")[1].split(b"Recent activity")[0]
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not Membership.objects.filter(user=invitee, cluster=cluster).exists()
    assert MembershipEvent.objects.filter(
        cluster=cluster, action=MembershipEvent.Action.INVITATION_REVOKED, email=invitee.email
    ).exists()

    # The invitee's link now says so and admits nobody; their home no longer lists it.
    client.force_login(invitee)
    assert invitation.get_absolute_url().encode() not in client.get(reverse("home")).content
    page = client.post(
        invitation.get_absolute_url(), {"answer": "accept", "display_name": "Intrusa"}, follow=True
    )
    assert b"withdrawn" in page.content
    assert not Membership.objects.filter(user=invitee, cluster=cluster).exists()
    assert client.get(cluster.get_absolute_url()).status_code == 404

    # Withdrawing twice says it was done, and a new invitation gets a new link.
    client.force_login(coordinator)
    again = client.post(revoke_url, follow=True)
    assert b"already answered or withdrawn" in again.content
    with commit():
        client.post(
            reverse("cluster_invite", args=[cluster.slug]),
            {"email": invitee.email, "role": Role.MENTOR},
        )
    renewed = Invitation.objects.get(cluster=cluster, revoked_at=None)
    assert renewed.token != invitation.token and renewed.is_open


def test_only_the_clusters_coordinators_withdraw_its_invitations(client):
    cluster = make_cluster(visibility="private")
    invitation = Invitation.objects.create(cluster=cluster, email="someone@example.org")
    other_coordinator = UserFactory()
    other = make_cluster(coordinator=other_coordinator)
    member = UserFactory()
    add_member(cluster, member, role=Role.MENTOR)

    # Another cluster's coordinator, naming this invitation from their own cluster: not found.
    client.force_login(other_coordinator)
    assert (
        client.post(reverse("invitation_revoke", args=[other.slug, invitation.pk])).status_code
        == 404
    )
    # A member who does not coordinate is refused.
    client.force_login(member)
    response = client.post(reverse("invitation_revoke", args=[cluster.slug, invitation.pk]))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and invitation.is_open


def test_request_to_join_then_approve(client, mailoutbox, commit):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    applicant = UserFactory()
    client.force_login(applicant)
    with commit():
        client.post(
            reverse("cluster_join", args=[cluster.slug]),
            {"role": Role.FOLLOWER, "message": "We grow coffee in Pitalito."},
        )
    membership = Membership.objects.get(user=applicant, cluster=cluster)
    assert membership.status == Status.REQUESTED
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert "Pitalito" in mailoutbox[0].body

    client.force_login(coordinator)
    mailoutbox.clear()
    with commit():
        client.post(reverse("membership_action", args=[cluster.slug, membership.pk, "approve"]))
    membership.refresh_from_db()
    assert membership.status == Status.ACTIVE
    assert [m.to for m in mailoutbox] == [[applicant.email]]
    assert "Welcome" in mailoutbox[0].subject


def test_request_to_join_then_decline_with_reason(client, mailoutbox, commit):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    applicant = UserFactory()
    client.force_login(applicant)
    with commit():
        client.post(reverse("cluster_join", args=[cluster.slug]), {"role": Role.MENTOR})
    membership = Membership.objects.get(user=applicant, cluster=cluster)

    client.force_login(coordinator)
    mailoutbox.clear()
    with commit():
        client.post(
            reverse("membership_action", args=[cluster.slug, membership.pk, "decline"]),
            {"reason": "This cluster is for Huila growers."},
        )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert "Huila growers" in mailoutbox[0].body
    assert MembershipEvent.objects.filter(cluster=cluster, action="declined").exists()


def test_member_leaves_and_coordinators_are_told(client, mailoutbox, commit):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    member = add_member(cluster)
    client.force_login(member)
    with commit():
        client.post(reverse("cluster_leave", args=[cluster.slug]))
    assert Membership.objects.get(user=member, cluster=cluster).status == Status.LEFT
    cluster.refresh_from_db()
    assert cluster.active_member_count == 1
    assert [m.to for m in mailoutbox] == [[coordinator.email]]


def test_last_coordinator_cannot_leave(client):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("cluster_leave", args=[cluster.slug]), follow=True)
    assert b"only coordinator" in response.content
    assert Membership.objects.get(user=coordinator, cluster=cluster).status == Status.ACTIVE


def test_coordinator_changes_role_and_member_is_told(client, mailoutbox, commit):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    member = add_member(cluster)
    membership = Membership.objects.get(user=member, cluster=cluster)
    client.force_login(coordinator)
    with commit():
        client.post(
            reverse("membership_action", args=[cluster.slug, membership.pk, "role"]),
            {"role": Role.MENTOR},
        )
    membership.refresh_from_db()
    assert membership.role == Role.MENTOR
    assert [m.to for m in mailoutbox] == [[member.email]]


def test_coordinator_suspends_and_reinstates(client, mailoutbox, commit):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator, visibility="private")
    member = add_member(cluster)
    membership = Membership.objects.get(user=member, cluster=cluster)
    client.force_login(coordinator)
    with commit():
        client.post(reverse("membership_action", args=[cluster.slug, membership.pk, "suspend"]))
    membership.refresh_from_db()
    assert membership.status == Status.SUSPENDED
    # A suspended member of a private cluster is an outsider again.
    client.force_login(member)
    assert client.get(cluster.get_absolute_url()).status_code == 404

    client.force_login(coordinator)
    with commit():
        client.post(reverse("membership_action", args=[cluster.slug, membership.pk, "reinstate"]))
    membership.refresh_from_db()
    assert membership.status == Status.ACTIVE
    assert [m.to for m in mailoutbox] == [[member.email], [member.email]]


def test_member_without_coordinator_role_cannot_manage(client):
    cluster = make_cluster()
    member = add_member(cluster)
    other = add_member(cluster)
    membership = Membership.objects.get(user=other, cluster=cluster)
    client.force_login(member)
    response = client.post(
        reverse("membership_action", args=[cluster.slug, membership.pk, "suspend"])
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.status == Status.ACTIVE


def test_invalid_invite_address_changes_nothing(client):
    coordinator = UserFactory()
    cluster = make_cluster(coordinator=coordinator)
    client.force_login(coordinator)
    response = client.post(
        reverse("cluster_invite", args=[cluster.slug]),
        {"email": "not-an-email", "role": "mentor"},
        follow=True,
    )
    assert b"valid email" in response.content
    assert not Invitation.objects.exists()
