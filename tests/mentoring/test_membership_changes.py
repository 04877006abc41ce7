"""A member suspended, gone or deleted: their open pairings in that cluster close, their
mentor's place is freed once, and their calendar drops what they no longer attend."""

import datetime
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from core.errors import DomainError
from mentoring.models import MentorOffer, Pairing, Session
from mentoring.services import calendars, cohorts, offers, pairings, sessions
from network import services as network
from network.models import Membership
from tests.factories import add_member, make_cluster
from tests.mentoring.conftest import group_session, offer, one_to_one, person

Status = Pairing.Status


def membership(user, cluster) -> Membership:
    return Membership.objects.get(user=user, cluster=cluster)


def places_taken(offer_obj) -> int:
    return MentorOffer.objects.get(pk=offer_obj.pk).active_mentees


@pytest.fixture
def active(net):
    """Felipe mentored by Ana."""
    return pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )


def test_suspending_a_follower_ends_the_pairing_frees_the_place_and_tells_the_mentor(
    net, active, commit
):
    mail.outbox.clear()
    with commit():
        network.suspend_member(
            membership=membership(net.felipe, net.cluster), by=net.coordinator, reason="Spam"
        )
    active.refresh_from_db()
    assert active.status == Status.ENDED and active.closed_at is not None
    assert (
        active.close_reason == "Felipe Follower is no longer an active member of Cafés del Huila."
    )
    assert places_taken(net.ana_offer) == 0
    ana_mail = [m for m in mail.outbox if m.to == [net.ana.email]]
    assert len(ana_mail) == 1 and active.close_reason in ana_mail[0].body


def test_a_mentor_who_leaves_releases_everyone_waiting_for_them(net, active):
    waiting = pairings.request_mentor(follower=net.gabi, offer=net.ana_offer)
    network.leave_cluster(membership=membership(net.ana, net.cluster))
    active.refresh_from_db()
    waiting.refresh_from_db()
    assert active.status == Status.ENDED
    assert waiting.status == Status.DECLINED and "Ana Mentor" in waiting.close_reason
    assert places_taken(net.ana_offer) == 0


def test_a_follower_who_leaves_withdraws_their_requests_and_declines_proposals(net):
    requested = pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    (proposed,) = cohorts.publish_cohort(
        cluster=net.cluster, by=net.coordinator, choices={net.gabi.pk: net.bruno_offer.pk}
    )
    network.leave_cluster(membership=membership(net.felipe, net.cluster))
    network.leave_cluster(membership=membership(net.gabi, net.cluster))
    requested.refresh_from_db()
    proposed.refresh_from_db()
    assert requested.status == Status.WITHDRAWN and requested.close_reason
    assert proposed.status == Status.DECLINED and "Gabi Follower" in proposed.close_reason
    # Nothing stays open, so the mentors' places are all free to promise again.
    assert not Pairing.objects.filter(status__in=Pairing.OPEN).exists()


def test_a_deleted_membership_closes_the_pairing_too(net, active):
    membership(net.felipe, net.cluster).delete()
    active.refresh_from_db()
    assert active.status == Status.ENDED
    assert places_taken(net.ana_offer) == 0


def test_upcoming_sessions_of_an_ended_pairing_are_cancelled_and_past_ones_kept(net, active):
    upcoming = sessions.schedule_session(
        by=net.felipe,
        pairing=active,
        title="Próxima",
        local_start=datetime.datetime(timezone.now().year + 1, 5, 4, 10, 0),
        time_zone="America/Bogota",
        duration_minutes=60,
    )
    past = sessions.schedule_session(
        by=net.ana,
        pairing=active,
        title="Pasada",
        local_start=datetime.datetime(timezone.now().year + 1, 5, 5, 10, 0),
        time_zone="America/Bogota",
        duration_minutes=60,
    )
    Session.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=2))
    network.suspend_member(membership=membership(net.felipe, net.cluster), by=net.coordinator)
    assert Session.objects.get(pk=upcoming.pk).is_cancelled
    assert not Session.objects.get(pk=past.pk).is_cancelled


def test_pairings_in_other_clusters_and_other_members_stay_open(net, active):
    other = make_cluster(coordinator=net.coordinator, name="Otro clúster")
    add_member(other, net.ana, role="mentor")
    add_member(other, net.felipe)
    elsewhere = pairings.request_mentor(
        follower=net.felipe, offer=offer(net.ana, other, products=["0901"], markets=["DE"])
    )
    gabi = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.gabi, offer=net.ana_offer), by=net.ana
    )
    network.suspend_member(membership=membership(net.felipe, net.cluster), by=net.coordinator)
    assert Pairing.objects.get(pk=elsewhere.pk).status == Status.REQUESTED
    assert Pairing.objects.get(pk=gabi.pk).status == Status.ACTIVE
    assert places_taken(net.ana_offer) == 1


def test_a_role_change_of_an_active_member_closes_nothing(net, active):
    network.change_role(
        membership=membership(net.felipe, net.cluster), by=net.coordinator, role="mentor"
    )
    assert Pairing.objects.get(pk=active.pk).status == Status.ACTIVE


def test_the_service_leaves_an_active_member_alone(net, active):
    assert pairings.close_pairings_of_former_member(user=net.felipe, cluster=net.cluster) == []
    assert Pairing.objects.get(pk=active.pk).status == Status.ACTIVE


def test_after_reinstatement_the_follower_may_ask_again(net, active):
    network.suspend_member(membership=membership(net.felipe, net.cluster), by=net.coordinator)
    network.reinstate_member(membership=membership(net.felipe, net.cluster), by=net.coordinator)
    again = pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    assert again.status == Status.REQUESTED


def test_closing_is_idempotent_when_a_suspended_member_then_leaves(net, active):
    network.suspend_member(membership=membership(net.felipe, net.cluster), by=net.coordinator)
    Membership.objects.filter(user=net.felipe, cluster=net.cluster).get().delete()
    active.refresh_from_db()
    assert active.status == Status.ENDED
    assert places_taken(net.ana_offer) == 0


def test_deleting_a_followers_account_frees_the_mentors_place(net, pairing):
    gabi = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.gabi, offer=net.ana_offer), by=net.ana
    )
    assert places_taken(net.ana_offer) == 2
    net.felipe.delete()
    # One place back, not two: the membership going with the account closes nothing twice.
    assert places_taken(net.ana_offer) == 1
    assert Pairing.objects.get(pk=gabi.pk).status == Pairing.Status.ACTIVE
    newcomer = add_member(net.cluster, person("Nuevo", languages=["pt"]))
    offers.save_needs(user=newcomer, products=["0901"], markets=["US"])
    assert pairings.request_mentor(follower=newcomer, offer=net.ana_offer).is_open


def test_a_full_mentor_stays_full_until_a_place_is_really_freed(net, pairing):
    offer(net.ana, net.cluster, capacity=1, products=["0901"], markets=["DE", "US"])
    with pytest.raises(DomainError):
        pairings.request_mentor(follower=net.gabi, offer=net.ana_offer)
    net.felipe.delete()
    assert pairings.request_mentor(follower=net.gabi, offer=net.ana_offer).is_open


def feed_events(user) -> list[tuple[str, str]]:
    response = Client().get(calendars.ensure_feed(user=user).get_absolute_url())
    assert response.status_code == 200
    parsed = Calendar.from_ical(response.content)
    return sorted((str(e["summary"]), str(e["status"])) for e in parsed.walk("VEVENT"))


def test_the_calendar_feed_drops_a_clusters_sessions_once_the_member_is_suspended(net, pairing):
    group = group_session(net)
    sessions.answer_session(session=group, user=net.felipe, answer="yes")
    one_to_one(net.ana, pairing, title="Uno a uno")
    assert feed_events(net.felipe) == [("Taller grupal", "CONFIRMED"), ("Uno a uno", "CONFIRMED")]
    network.suspend_member(
        membership=Membership.objects.get(user=net.felipe, cluster=net.cluster),
        by=net.coordinator,
    )
    # The group session is gone; the pairing ended with the membership, so its session is
    # called off rather than left waiting.
    assert feed_events(net.felipe) == [("Uno a uno", "CANCELLED")]
    assert feed_events(net.ana) == [("Uno a uno", "CANCELLED")]
