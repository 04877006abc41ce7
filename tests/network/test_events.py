"""membership_ended: sent whenever an active membership stops being active, and only then."""

import pytest

from network import erasure
from network.models import Membership
from network.services import memberships
from network.signals import membership_ended
from tests.factories import UserFactory, add_member, make_cluster

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended():
    """The memberships membership_ended was sent for, as (user id, status)."""
    seen = []

    def listen(sender, membership, **kwargs):
        seen.append((membership.user_id, membership.status))

    membership_ended.connect(listen, dispatch_uid="tests.membership_ended")
    yield seen
    membership_ended.disconnect(dispatch_uid="tests.membership_ended")


@pytest.fixture
def cluster():
    return make_cluster(coordinator=UserFactory())


def _membership(user, cluster) -> Membership:
    return Membership.objects.get(user=user, cluster=cluster)


def test_suspending_a_member_ends_their_membership(cluster, ended):
    member = add_member(cluster)
    memberships.suspend_member(
        membership=_membership(member, cluster), by=cluster.created_by, reason=""
    )
    assert ended == [(member.pk, "suspended")]


def test_leaving_ends_it(cluster, ended):
    member = add_member(cluster)
    memberships.leave_cluster(membership=_membership(member, cluster))
    assert ended == [(member.pk, "left")]


def test_erasing_a_member_ends_each_active_membership(cluster, ended):
    member = add_member(cluster)
    add_member(make_cluster(coordinator=cluster.created_by, name="Otro"), member)
    erasure.erase_member(user=member)
    assert ended == [(member.pk, "left"), (member.pk, "left")]


def test_what_keeps_or_gives_access_ends_nothing(cluster, ended):
    member = add_member(cluster, role="follower")
    coordinator = cluster.created_by
    memberships.change_role(membership=_membership(member, cluster), by=coordinator, role="mentor")
    memberships.suspend_member(membership=_membership(member, cluster), by=coordinator)
    memberships.reinstate_member(membership=_membership(member, cluster), by=coordinator)
    applicant = UserFactory()
    memberships.request_to_join(cluster=cluster, user=applicant, role="follower")
    memberships.approve_request(membership=_membership(applicant, cluster), by=coordinator)
    assert ended == [(member.pk, "suspended")]


def test_leaving_before_being_admitted_ends_nothing(cluster, ended):
    applicant = UserFactory()
    memberships.request_to_join(cluster=cluster, user=applicant, role="follower")
    memberships.leave_cluster(membership=_membership(applicant, cluster))
    assert ended == []
