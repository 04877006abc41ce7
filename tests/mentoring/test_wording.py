"""What the mentoring pages say, read in each language: counts agree with their nouns, common
topics and months read as the language writes them, and each label shows once."""

import datetime

from django.test import Client
from django.utils import timezone, translation

from mentoring import scoring
from mentoring.models import Pairing, Session
from mentoring.selectors.matching import match_for
from mentoring.services import offers, sessions
from tests.factories import add_member
from tests.mentoring.conftest import cohort_form, person


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _held_group_session(net) -> Session:
    session = sessions.schedule_session(
        by=net.coordinator,
        cluster=net.cluster,
        title="Taller de certificación",
        local_start=datetime.datetime(2030, 3, 4, 10, 0),
        time_zone="America/Bogota",
        duration_minutes=60,
    )
    for user in (net.felipe, net.gabi):
        sessions.answer_session(session=session, user=user, answer="yes")
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    return session


def test_publishing_one_pair_says_one_pairing(net):
    client = client_for(net.coordinator)
    url = f"/clusters/{net.cluster.slug}/mentoring/cohort/"
    one = cohort_form({net.felipe.pk: net.ana_offer.pk, net.gabi.pk: ""}, publish="1")
    page = client.post(url, one, follow=True).content.decode()
    assert "1 pairing proposed." in page and "1 pairings" not in page
    assert Pairing.objects.count() == 1


def test_attendance_for_one_person_says_person_and_for_nobody_says_so(net):
    session = _held_group_session(net)
    client = client_for(net.coordinator, "es")
    url = f"/sessions/{session.pk}/attendance/"
    page = client.post(url, {}, follow=True).content.decode()
    assert "No se guardó nada" in page and "0 personas" not in page
    page = client.post(url, {f"came-{net.felipe.pk}": "yes"}, follow=True).content.decode()
    assert "Asistencia guardada para 1 persona." in page
    page = client.post(
        url, {f"came-{net.felipe.pk}": "yes", f"came-{net.gabi.pk}": "no"}, follow=True
    ).content.decode()
    assert "Asistencia guardada para 2 personas." in page


def test_a_common_topic_reads_in_the_reader_language_whoever_wrote_it(net):
    follower = add_member(net.cluster, person("Pía Seguidora", languages=["es"]))
    # Written in Spanish by the follower, in English by the mentor (Ana's offer): they meet.
    offers.save_needs(user=follower, products=["0901"], markets=["DE"], topics=["Certificación"])
    reasons = {
        language: translation.override(language)(lambda: "; ".join(_reasons(follower, net)))()
        for language in ("es", "pt-br", "en")
    }
    assert "ayuda con certificación" in reasons["es"]
    assert "ajuda com certificação" in reasons["pt-br"]
    assert "helps with certification" in reasons["en"]
    assert "certification" not in reasons["es"] + reasons["pt-br"]


def _reasons(follower, net) -> list[str]:
    match, _excluded = match_for(offer=net.ana_offer, follower=follower)
    return scoring.describe_all(match.reasons)


def test_months_are_written_in_lower_case_in_portuguese_and_spanish(net):
    session = _held_group_session(net)
    Session.objects.filter(pk=session.pk).update(
        starts_at=datetime.datetime(2026, 12, 4, 15, 0, tzinfo=datetime.UTC)
    )
    expected = {"pt-br": "4 de dezembro de 2026", "es": "4 de diciembre de 2026", "en": "Dec. 4"}
    for language, date in expected.items():
        page = client_for(net.coordinator, language).get(f"/sessions/{session.pk}/")
        assert date in page.content.decode(), language
    assert "Dezembro" not in page_in(net, session, "pt-br")


def page_in(net, session, language) -> str:
    return client_for(net.coordinator, language).get(f"/sessions/{session.pk}/").content.decode()


def test_the_session_page_names_its_notes_once(net):
    session = _held_group_session(net)
    page = client_for(net.coordinator, "es").get(f"/sessions/{session.pk}/").content.decode()
    assert page.count(">Notas<") == 1
    assert 'for="id_notes"' in page and 'id="id_notes"' in page
