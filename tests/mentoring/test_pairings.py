"""Pairing lifecycle: request, accept, decline, end; capacity under concurrent acceptance."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from forums import access
from forums import services as forums
from forums.models import Room
from mentoring.models import MentorOffer, Pairing, Session
from mentoring.services import cohorts, pairings, sessions
from network import services as network
from network.models import Membership
from tests.mentoring.conftest import build_network, offer

Status = Pairing.Status

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under real concurrency run in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)


def places_taken(offer_obj) -> int:
    return MentorOffer.objects.get(pk=offer_obj.pk).active_mentees


def test_request_then_accept_opens_a_private_live_conversation(net, commit):
    with commit():
        pairing = pairings.request_mentor(
            follower=net.felipe, offer=net.ana_offer, message="Quiero exportar a Alemania"
        )
    assert pairing.status == Status.REQUESTED
    assert [m.to for m in mail.outbox] == [[net.ana.email]]
    assert "Felipe Follower" in mail.outbox[0].subject

    with commit():
        pairing = pairings.accept_pairing(pairing=pairing, by=net.ana)
    assert pairing.status == Status.ACTIVE and pairing.started_at
    assert places_taken(net.ana_offer) == 1
    room = pairing.conversation.room
    assert access.can_write(net.felipe, room) and access.can_write(net.ana, room)
    for stranger in (net.bruno, net.coordinator, net.outsider):
        assert not access.can_read(stranger, room)
    assert {m.to[0] for m in mail.outbox[1:]} == {net.ana.email, net.felipe.email}


def test_the_follower_cannot_accept_their_own_request(net):
    pairing = pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    with pytest.raises(DomainError):
        pairings.accept_pairing(pairing=pairing, by=net.felipe)
    with pytest.raises(NotAllowed):
        pairings.accept_pairing(pairing=pairing, by=net.bruno)
    assert Pairing.objects.get(pk=pairing.pk).status == Status.REQUESTED


def test_one_open_pairing_per_pair(net):
    pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    with pytest.raises(DomainError, match="already"):
        pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    assert Pairing.objects.count() == 1


def test_decline_and_withdraw_close_the_request_with_the_reason(net, commit):
    first = pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    with commit():
        pairings.decline_pairing(pairing=first, by=net.ana, reason="Sin tiempo este mes")
    first.refresh_from_db()
    assert first.status == Status.DECLINED and first.close_reason == "Sin tiempo este mes"
    assert "Sin tiempo este mes" in mail.outbox[-1].body

    second = pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    pairings.decline_pairing(pairing=second, by=net.felipe)
    second.refresh_from_db()
    assert second.status == Status.WITHDRAWN
    assert places_taken(net.ana_offer) == 0


def test_capacity_is_enforced_at_acceptance(net):
    first = pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    second = pairings.request_mentor(follower=net.gabi, offer=net.ana_offer)
    # Ana lowers her capacity while both requests wait.
    offer(net.ana, net.cluster, capacity=1, products=["0901", "1801"], markets=["DE", "US"])
    pairings.accept_pairing(pairing=first, by=net.ana)
    with pytest.raises(DomainError, match="no place left"):
        pairings.accept_pairing(pairing=second, by=net.ana)
    assert Pairing.objects.get(pk=second.pk).status == Status.REQUESTED
    assert places_taken(net.ana_offer) == 1


def test_open_requests_hold_places_so_nobody_is_promised_too_much(net):
    offer(net.ana, net.cluster, capacity=1, products=["0901", "1801"], markets=["DE", "US"])
    pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    with pytest.raises(DomainError):
        pairings.request_mentor(follower=net.gabi, offer=net.ana_offer)
    assert Pairing.objects.count() == 1


def test_a_full_mentor_cannot_be_requested(net):
    offer(net.ana, net.cluster, capacity=1, products=["0901", "1801"], markets=["DE", "US"])
    pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    with pytest.raises(DomainError):
        pairings.request_mentor(follower=net.gabi, offer=net.ana_offer)


def test_a_proposal_becomes_active_only_when_both_accept(net):
    (pairing,) = cohorts.publish_cohort(
        cluster=net.cluster, by=net.coordinator, choices={net.felipe.pk: net.ana_offer.pk}
    )
    pairing = pairings.accept_pairing(pairing=pairing, by=net.felipe)
    assert pairing.status == Status.PROPOSED
    with pytest.raises(DomainError, match="already accepted"):
        pairings.accept_pairing(pairing=pairing, by=net.felipe)
    pairing = pairings.accept_pairing(pairing=pairing, by=net.ana)
    assert pairing.status == Status.ACTIVE


def test_ending_needs_a_reason_and_frees_the_place(net):
    pairing = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    with pytest.raises(DomainError, match="why"):
        pairings.end_pairing(pairing=pairing, by=net.felipe, reason="  ")
    with pytest.raises(NotAllowed):
        pairings.end_pairing(pairing=pairing, by=net.bruno, reason="not mine")
    pairings.end_pairing(pairing=pairing, by=net.felipe, reason="Firm closed")
    pairing.refresh_from_db()
    assert pairing.status == Status.ENDED and pairing.close_reason == "Firm closed"
    assert places_taken(net.ana_offer) == 0
    with pytest.raises(DomainError):
        pairings.end_pairing(pairing=pairing, by=net.felipe, reason="again")
    assert places_taken(net.ana_offer) == 0


def _session(by, pairing, title, days_ahead):
    return sessions.schedule_session(
        by=by,
        pairing=pairing,
        title=title,
        local_start=(timezone.now() + timedelta(days=days_ahead)).replace(tzinfo=None),
        time_zone="UTC",
        duration_minutes=60,
    )


def test_ending_a_pairing_cancels_its_upcoming_sessions_and_tells_the_other_side(net, commit):
    pairing = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    upcoming = _session(net.ana, pairing, "Próxima", 3)
    later = _session(net.felipe, pairing, "Más adelante", 10)
    past = _session(net.ana, pairing, "Pasada", 1)
    Session.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=2))
    mail.outbox.clear()
    with commit():
        pairings.end_pairing(pairing=pairing, by=net.felipe, reason="Cerramos la empresa")
    statuses = dict(Session.objects.values_list("pk", "status"))
    assert statuses == {upcoming.pk: "cancelled", later.pk: "cancelled", past.pk: "scheduled"}
    cancelled = sorted(m.subject for m in mail.outbox if m.subject.startswith("Cancelled"))
    assert cancelled == ["Cancelled: Más adelante", "Cancelled: Próxima"]
    assert {tuple(m.to) for m in mail.outbox} == {(net.ana.email,)}
    assert all("Cerramos la empresa" in m.body for m in mail.outbox)


def test_a_coordinator_ending_a_pairing_tells_both_sides_of_each_cancelled_session(net, commit):
    pairing = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    _session(net.ana, pairing, "Próxima", 3)
    mail.outbox.clear()
    with commit():
        pairings.end_pairing(pairing=pairing, by=net.coordinator, reason="", completed=True)
    told = sorted(m.to[0] for m in mail.outbox if m.subject == "Cancelled: Próxima")
    assert told == sorted([net.ana.email, net.felipe.email])


def test_completing_frees_the_place_and_a_coordinator_may_close(net):
    pairing = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    pairings.end_pairing(pairing=pairing, by=net.coordinator, reason="", completed=True)
    pairing.refresh_from_db()
    assert pairing.status == Status.COMPLETED and places_taken(net.ana_offer) == 0


def test_non_members_cannot_request_and_leave_nothing(net):
    with pytest.raises(DomainError):
        pairings.request_mentor(follower=net.outsider, offer=net.ana_offer)
    assert not Pairing.objects.exists()


def test_pairing_pages_answer_404_to_outsiders(net):
    pairing = pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    outsider = Client()
    outsider.force_login(net.outsider)
    assert outsider.get(pairing.get_absolute_url()).status_code == 404
    response = outsider.post(f"/mentoring/pairings/{pairing.pk}/accept/")
    assert response.status_code == 404
    assert Pairing.objects.get(pk=pairing.pk).status == Status.REQUESTED


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_acceptances_of_the_last_place_only_one_wins():
    net = build_network()
    offer(net.ana, net.cluster, capacity=2, products=["0901", "1801"], markets=["DE", "US"])
    requests = [
        pairings.request_mentor(follower=net.felipe, offer=net.ana_offer),
        pairings.request_mentor(follower=net.gabi, offer=net.ana_offer),
    ]
    # Open requests hold places, so two requests needed two; one place is left to fight over.
    MentorOffer.objects.filter(pk=net.ana_offer.pk).update(capacity=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(pairing):
        try:
            barrier.wait()
            pairings.accept_pairing(pairing=pairing, by=net.ana)
            outcomes.append("accepted")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p,)) for p in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["accepted", "refused"]
    assert Pairing.objects.filter(status=Status.ACTIVE).count() == 1
    assert places_taken(net.ana_offer) == 1


def test_plain_text_emails_keep_names_as_written(net, commit):
    profile = net.felipe.profile
    profile.display_name = "Café & Cacao O'Brien"
    profile.save()
    with commit():
        pairings.request_mentor(follower=net.felipe, offer=net.ana_offer, message="<b>hola</b>")
    (message,) = mail.outbox
    assert "Café & Cacao O'Brien" in message.subject
    assert "Café & Cacao O'Brien" in message.body and "<b>hola</b>" in message.body
    assert "&amp;" not in message.body


def _active(net):
    pairing = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    forums.post_reply(topic=pairing.conversation, author=net.felipe, body="Week one done.")
    return pairing


@pytest.mark.parametrize("completed", [True, False])
def test_a_closed_pairings_conversation_is_kept_to_read_and_takes_no_writing(net, completed):
    pairing = _active(net)
    topic = pairing.conversation
    answer = topic.posts.order_by("id").last()
    pairings.end_pairing(pairing=pairing, by=net.ana, reason="Done", completed=completed)
    posts = topic.posts.count()

    for write in (
        lambda: forums.post_reply(topic=topic, author=net.felipe, body="One more thing"),
        lambda: forums.start_topic(room=topic.room, author=net.ana, title="New", body="Hi"),
        lambda: forums.edit_post(post=answer, by=net.felipe, body="Changed"),
    ):
        with pytest.raises(DomainError) as refused:
            write()
        assert refused.value.code == "closed"
    assert topic.posts.count() == posts
    room = Room.objects.get(pk=topic.room_id)
    assert access.can_read(net.felipe, room) and not access.can_write(net.felipe, room)
    assert room.closed_because == ("completed" if completed else "ended")


def test_the_closed_conversation_page_says_why_and_shows_no_reply_form(net):
    pairing = _active(net)
    pairings.end_pairing(pairing=pairing, by=net.felipe, reason="", completed=True)
    client = Client()
    client.force_login(net.felipe)

    pairing_page = client.get(f"/mentoring/pairings/{pairing.pk}/").content.decode()
    assert pairing.conversation.get_absolute_url() in pairing_page  # still there to read
    page = client.get(pairing.conversation.get_absolute_url()).content.decode()
    assert 'id="closed-note"' in page and "was completed" in page
    assert 'id="reply-form"' not in page and "Week one done." in page
    api = client.post(
        f"/api/topics/{pairing.conversation.pk}/posts/",
        '{"body": "Still there?"}',
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["error"] == "closed"


def test_a_pairing_ended_because_a_member_left_closes_its_conversation(net):

    pairing = _active(net)
    network.leave_cluster(membership=Membership.objects.get(user=net.felipe, cluster=net.cluster))
    with pytest.raises(DomainError):
        forums.post_reply(topic=pairing.conversation, author=net.ana, body="Are you there?")
    assert Room.objects.get(pk=pairing.conversation.room_id).closed_because == "ended"


def test_two_people_with_the_longest_names_start_a_pairing(net):
    for person in (net.ana, net.felipe):
        person.profile.display_name = "N" * 120
        person.profile.save()
    pairing = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    assert pairing.status == Status.ACTIVE
    assert pairing.conversation.title.startswith("Mentoring: NNN")
