"""An invited member chooses the name the cluster sees when they accept."""

import pytest

from core.errors import DomainError
from network.models import Invitation, Membership
from network.services import invitations, profiles
from tests.factories import UserFactory, make_cluster

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(client):
    cluster = make_cluster(visibility="private")
    invitee = UserFactory(email="lucia.g@example.org")
    profiles.ensure_profile(user=invitee)
    invitation = Invitation.objects.create(cluster=cluster, email=invitee.email)
    client.force_login(invitee)
    return invitation, invitee


def test_accepting_without_a_name_is_refused_and_changes_nothing(client, invited):
    invitation, invitee = invited
    response = client.post(
        invitation.get_absolute_url(), {"answer": "accept", "display_name": " "}
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert not Membership.objects.filter(user=invitee, status="active").exists()
    invitee.profile.refresh_from_db()
    assert invitee.profile.display_name == "lucia.g"


def test_the_invitee_joins_under_the_name_they_chose(client, invited):
    invitation, invitee = invited
    page = client.get(invitation.get_absolute_url())
    # The name made from the address is not offered as if it were theirs.
    assert b'name="display_name"' in page.content
    assert b'value="lucia.g"' not in page.content
    response = client.post(
        invitation.get_absolute_url(), {"answer": "accept", "display_name": "Lucía Gómez"}
    )
    assert response.status_code == 302
    invitee.profile.refresh_from_db()
    assert (invitee.profile.display_name, invitee.profile.handle) == ("Lucía Gómez", "lucia-gomez")
    members = client.get(f"{invitation.cluster.get_absolute_url()}members/")
    assert "Lucía Gómez" in members.content.decode()


def test_a_name_already_chosen_is_offered(client, invited):
    invitation, invitee = invited
    invitee.profile.display_name = "Lucía G."
    invitee.profile.save()
    page = client.get(invitation.get_absolute_url())
    assert 'value="Lucía G."' in page.content.decode()


def test_declining_needs_no_name(client, invited):
    invitation, _invitee = invited
    response = client.post(invitation.get_absolute_url(), {"answer": "decline"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.declined_at is not None


def test_the_service_refuses_a_blank_name(invited):
    invitation, invitee = invited
    with pytest.raises(DomainError):
        invitations.accept_invitation(invitation=invitation, user=invitee, display_name="\x00 ")
    assert not Membership.objects.filter(user=invitee, status="active").exists()
