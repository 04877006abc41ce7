"""Referrals between agencies: an officer refers a firm of their clusters to another agency's
programme; that agency accepts or declines it, then marks it done. Both agencies and the
firm's own people follow it; nobody else sees it."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.errors import DomainError, NotAllowed
from incentives import selectors, services
from incentives.models import Referral, ReferralEvent
from network import history
from tests.concurrency import race
from tests.factories import AgencyFactory, OfficerFactory, OrganizationFactory, UserFactory
from tests.incentives.conftest import build
from tests.incentives.test_cosponsoring import second_sponsor

pytestmark = pytest.mark.django_db

State = Referral.State


@pytest.fixture
def world():
    setting = build()
    _agency, credit_officer, credit_programme = second_sponsor(setting)
    firm = setting.follower.profile.organization
    colleague = UserFactory(name="Colega Firma", organization=firm)
    return {
        "setting": setting,
        "officer": setting.officer,
        "receiver": credit_officer,
        "programme": credit_programme,
        "firm": firm,
        "colleague": colleague,
    }


def refer(w, note="Primer pedido a Alemania: necesita crédito de preembarque.") -> Referral:
    return services.refer_firm(
        by=w["officer"], firm=w["firm"], programme=w["programme"], note=note
    )


def states(referral: Referral) -> list[str]:
    return list(referral.events.order_by("at", "id").values_list("state", flat=True))


def test_an_officer_refers_a_firm_of_their_cluster_to_another_agencys_programme(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(world)
    assert referral.state == State.SENT
    assert referral.referring_agency == world["setting"].agency
    assert states(referral) == ["sent"]
    # The firm's people and the receiving agency's officers are emailed.
    told = sorted(address for m in mail.outbox for address in m.to)
    assert told == sorted(
        [world["setting"].follower.email, world["colleague"].email, world["receiver"].email]
    )


def test_accept_then_done_each_leave_a_step_with_who(world):
    referral = refer(world)
    services.accept_referral(referral=referral, by=world["receiver"])
    services.complete_referral(referral=referral, by=world["receiver"])
    referral.refresh_from_db()
    assert referral.state == State.DONE
    assert states(referral) == ["sent", "accepted", "done"]
    assert list(referral.events.values_list("by", flat=True)) == [
        world["officer"].pk,
        world["receiver"].pk,
        world["receiver"].pk,
    ]


def test_a_declined_referral_keeps_its_reason_and_cannot_be_done(world):
    referral = refer(world)
    services.decline_referral(referral=referral, by=world["receiver"], reason="Aún sin pedido.")
    referral.refresh_from_db()
    assert (referral.state, referral.reason) == (State.DECLINED, "Aún sin pedido.")
    with pytest.raises(DomainError, match="accepted"):
        services.complete_referral(referral=referral, by=world["receiver"])
    with pytest.raises(DomainError, match="already been answered"):
        services.accept_referral(referral=referral, by=world["receiver"])
    referral.refresh_from_db()
    assert referral.state == State.DECLINED and states(referral) == ["sent", "declined"]


def test_a_sent_referral_cannot_be_marked_done(world):
    referral = refer(world)
    with pytest.raises(DomainError, match="Only an accepted referral"):
        services.complete_referral(referral=referral, by=world["receiver"])
    assert Referral.objects.get().state == State.SENT and states(referral) == ["sent"]


def test_only_the_receiving_agency_answers(world):
    referral = refer(world)
    for someone in (world["officer"], world["setting"].follower):
        with pytest.raises(DomainError, match="agency that runs the programme"):
            services.accept_referral(referral=referral, by=someone)
    assert Referral.objects.get().state == State.SENT and ReferralEvent.objects.count() == 1


def test_the_same_firm_is_not_referred_twice_to_one_programme_while_open(world):
    referral = refer(world)
    with pytest.raises(DomainError, match="already has an open referral"):
        refer(world, note="Otra vez")
    services.accept_referral(referral=referral, by=world["receiver"])
    with pytest.raises(DomainError, match="already has an open referral"):
        refer(world, note="Otra vez")
    services.complete_referral(referral=referral, by=world["receiver"])
    assert refer(world, note="Un segundo embarque").state == State.SENT
    assert Referral.objects.count() == 2


def test_the_database_refuses_a_second_open_referral(world):
    from django.db import IntegrityError, transaction

    referral = refer(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            firm=referral.firm,
            programme=referral.programme,
            referring_agency=referral.referring_agency,
            note="x",
            referred_by=world["officer"],
        )


def test_what_an_officer_may_not_refer(world):
    setting = world["setting"]
    stranger = OrganizationFactory(name="Firma Ajena")
    with pytest.raises(DomainError, match="clusters your agency sponsors"):
        services.refer_firm(
            by=world["officer"], firm=stranger, programme=world["programme"], note="x"
        )
    with pytest.raises(DomainError, match="not to your own"):
        services.refer_firm(
            by=world["officer"], firm=world["firm"], programme=setting.programme, note="x"
        )
    with pytest.raises(DomainError, match="Write a note"):
        refer(world, note="   \x00 ")
    with pytest.raises(DomainError, match="at most"):
        refer(world, note="x" * 1001)
    ended = world["programme"]
    ended.starts_on = datetime.date(2020, 1, 1)
    ended.ends_on = datetime.date(2020, 12, 31)
    ended.save()
    with pytest.raises(DomainError, match="ended"):
        refer(world)
    with pytest.raises(NotAllowed):
        services.refer_firm(
            by=setting.follower, firm=world["firm"], programme=setting.programme, note="x"
        )
    assert not Referral.objects.exists()


def test_the_referring_officer_chooses_other_agencies_open_programmes_and_own_firms(world):
    programmes = list(selectors.referable_programmes(world["setting"].agency))
    assert programmes == [world["programme"]]
    firms = set(selectors.referable_firms(world["setting"].agency))
    assert world["firm"] in firms and world["setting"].agency not in firms


def test_both_agencies_see_it_and_nobody_else(world):
    referral = refer(world)
    for officer in (world["officer"], world["receiver"]):
        assert selectors.referral_for(officer, referral.pk) == referral
    third = OfficerFactory(name="Tercera", organization=AgencyFactory(name="Tercera Agencia"))
    outsiders = (third, world["setting"].follower, world["setting"].coordinator)
    for someone in outsiders:
        client = Client()
        client.force_login(someone)
        assert client.get(reverse("incentives:referral", args=[referral.pk])).status_code == 404
        url = reverse("incentives:referral_act", args=[referral.pk, "accept"])
        assert client.post(url).status_code == 404
    assert Referral.objects.get().state == State.SENT
    sent = selectors.agency_referrals(world["setting"].agency)
    received = selectors.agency_referrals(world["programme"].agency)
    assert (sent.sent, sent.received) == ([referral], [])
    assert (received.sent, received.received) == ([], [referral])
    assert selectors.agency_referrals(third.profile.organization).received == []
    assert selectors.agency_referrals(world["setting"].agency, state="done").sent == []


def test_each_step_is_in_the_firms_history_for_its_people_only(world):
    referral = refer(world)
    services.accept_referral(referral=referral, by=world["receiver"])
    firm = world["firm"]
    for person in (world["setting"].follower, world["colleague"]):
        entries = history.history_of(viewer=person, organization=firm)
        steps = [e.context["event"].state for e in entries if "event" in e.context]
        assert steps == ["accepted", "sent"]
        assert entries[-1].template == "network/history/_joined.html"
    for someone in (world["officer"], world["receiver"], world["setting"].mentor):
        assert history.history_of(viewer=someone, organization=firm) == []


def test_an_erased_members_name_leaves_the_notes_and_the_steps_stay(world):
    from network.erasure import erase_member, former_member_label

    follower = world["setting"].follower
    name = follower.profile.display_name
    referral = refer(world, note=f"{name} cerró su primer pedido.")
    services.decline_referral(
        referral=referral, by=world["receiver"], reason=f"Que {name} vuelva."
    )
    erase_member(user=follower)
    referral.refresh_from_db()
    assert name not in referral.note and name not in referral.reason
    assert former_member_label() in referral.note
    assert states(referral) == ["sent", "declined"]


def test_the_firms_page_shows_its_history(world):
    referral = refer(world)
    services.decline_referral(referral=referral, by=world["receiver"], reason="Sin pedido aún.")
    client = Client()
    client.force_login(world["colleague"])
    page = client.get(reverse("organization_edit")).content.decode()
    assert 'id="history-list"' in page
    assert "Omar Officer" in page and "Sin pedido aún." in page
    assert "Primer pedido a Alemania" in page


def test_the_pages_of_both_agencies(world, django_assert_max_num_queries):
    referral = refer(world)
    for officer in (world["officer"], world["receiver"]):
        client = Client()
        client.force_login(officer)
        for url in (
            reverse("incentives:referrals"),
            reverse("incentives:referrals") + "?state=sent",
            reverse("incentives:referral", args=[referral.pk]),
            reverse("incentives:referral_new"),
        ):
            with django_assert_max_num_queries(25):
                response = client.get(url)
            assert response.status_code == 200, url
            assert world["firm"].name in response.content.decode() or url.endswith("new/")
    # Money never shows on the referring officer's side.
    client = Client()
    client.force_login(world["officer"])
    page = client.get(reverse("incentives:referral_new")).content.decode()
    assert "Crédito 2026" in page and "777" not in page


def test_the_agency_page_says_when_there_is_nothing_yet(world):
    client = Client()
    client.force_login(world["officer"])
    page = client.get(reverse("incentives:referrals")).content.decode()
    assert "You have not referred a firm yet" in page
    assert "No agency has referred a firm to your programmes yet" in page


def test_the_receiving_officer_answers_through_the_page(world):
    referral = refer(world)
    client = Client()
    client.force_login(world["receiver"])
    url = reverse("incentives:referral_act", args=[referral.pk, "accept"])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a second press: refused, nothing written
    done = reverse("incentives:referral_act", args=[referral.pk, "done"])
    assert client.post(done).status_code == 302
    assert states(referral) == ["sent", "accepted", "done"]
    assert (
        client.post(reverse("incentives:referral_act", args=[referral.pk, "x"])).status_code == 404
    )


@pytest.mark.django_db(transaction=True)
def test_two_officers_answering_at_once_exactly_one_wins():
    setting = build()
    _agency, receiver, programme = second_sponsor(setting)
    colleague = OfficerFactory(name="Otra Oficial", organization=programme.agency)
    referral = services.refer_firm(
        by=setting.officer,
        firm=setting.follower.profile.organization,
        programme=programme,
        note="Crédito de preembarque.",
    )
    answers = iter(
        [
            lambda: services.accept_referral(referral=referral, by=receiver),
            lambda: services.decline_referral(referral=referral, by=colleague, reason="No."),
        ]
        * 4
    )
    lock = threading.Lock()

    def answer():
        with lock:
            act = next(answers)
        act()

    errors = race(8, answer)
    assert len(errors) == 7 and all(isinstance(e, DomainError) for e in errors), errors
    referral.refresh_from_db()
    assert referral.state in (State.ACCEPTED, State.DECLINED)
    assert states(referral) == ["sent", referral.state]


@pytest.mark.django_db(transaction=True)
def test_two_officers_referring_the_same_firm_at_once_make_one_referral():
    setting = build()
    _agency, _receiver, programme = second_sponsor(setting)
    colleague = OfficerFactory(name="Colega Andina", organization=setting.agency)
    officers = iter([setting.officer, colleague] * 2)
    lock = threading.Lock()

    def send():
        with lock:
            by = next(officers)
        services.refer_firm(
            by=by, firm=setting.follower.profile.organization, programme=programme, note="Ya."
        )

    errors = race(2 if connection.vendor == "sqlite" else 4, send)
    assert Referral.objects.count() == 1
    assert errors and all(isinstance(e, DomainError) for e in errors), errors


def test_the_referral_journeys_pages_make_at_most_25_queries_each():
    """The browser journey's steps through the test client, on the demo network."""
    from django.core.management import call_command

    from tests.browser.test_referral_journey import JOURNEYS
    from tests.test_page_queries import MOST_QUERIES, ClientWalk

    call_command("seed_demo", verbosity=0)
    counted = []
    for journey in JOURNEYS:
        walk = ClientWalk(journey.__name__)
        journey(walk)
        counted += [(journey.__name__, path, count) for path, count in walk.counted]
    for who, path, count in counted:
        print(f"{who}: {path} {count}")
    assert {path for _who, path, _count in counted} >= {"/agency/referrals/", "/me/organization/"}
    assert [row for row in counted if row[2] > MOST_QUERIES] == []
