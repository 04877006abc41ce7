"""My network shows each person what waits for them, by role, with empty states."""

import re

import pytest
from django.urls import reverse

from forums import services as forum_services
from forums.models import Topic
from guides import services as guides
from mentoring.services import goals, pairings
from network import services as network_services
from tests.factories import add_member, make_cluster
from tests.mentoring.conftest import (
    NEXT_YEAR,
    build_network,
    group_session,
    move_to_past,
    one_to_one,
    person,
)

pytestmark = pytest.mark.django_db


def panels(client, user) -> tuple[list[str], str]:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(r'id="panel-([a-z]+)"', html), html


def ask(net, author, title, tags):
    room = forum_services.forum_of(net.cluster)
    return forum_services.start_topic(
        room=room,
        author=author,
        title=title,
        body="Who knows?",
        kind=Topic.Kind.QUESTION,
        tags=tags,
    )


def test_a_follower_sees_suggested_mentors_with_reasons_and_the_way_to_goals(client):
    net = build_network()
    shown, html = panels(client, net.felipe)
    assert "follower" in shown and "mentor" not in shown and "coordinator" not in shown
    assert "Ana Mentor" in html
    assert "Germany" in html  # a reason, in plain words
    assert "Goals are set with your mentor once you are paired." in html


def test_a_follower_without_needs_is_asked_for_them(client):
    net = build_network()
    newcomer = add_member(net.cluster, person("Nina Newcomer"))
    shown, html = panels(client, newcomer)
    assert "follower" in shown
    assert reverse("mentoring:needs") in html
    assert "Suggested mentors" not in html


def test_a_mentor_sees_requests_and_unanswered_questions_in_their_topics(client):
    net = build_network()
    pairings.request_mentor(follower=net.felipe, offer=net.ana_offer)
    # Tagged with two of Ana's topics and markets, it is listed once.
    waiting = ask(net, net.gabi, "Which certificate for Germany?", ["certification", "Germany"])
    answered = ask(net, net.gabi, "Certification costs?", ["certification"])
    forum_services.post_reply(topic=answered, author=net.bruno, body="About 2,000 USD.")
    ask(net, net.gabi, "Cocoa prices?", ["cocoa"])  # not in Ana's topics
    shown, html = panels(client, net.ana)
    assert "mentor" in shown
    assert "Felipe Follower would like you as mentor" in html
    assert html.count(waiting.title) == 1
    assert "Certification costs?" not in html and "Cocoa prices?" not in html


def test_questions_of_another_cluster_never_reach_the_mentor(client):
    net = build_network()
    other = make_cluster(coordinator=person("Olga Other"), name="Otro", visibility="private")
    stranger = add_member(other, person("Sam Stranger"))
    forum_services.start_topic(
        room=forum_services.forum_of(other),
        author=stranger,
        title="Secret buyer in Germany",
        body="?",
        kind=Topic.Kind.QUESTION,
        tags=["certification"],
    )
    _shown, html = panels(client, net.ana)
    assert "Secret buyer in Germany" not in html


def test_a_coordinator_sees_followers_without_a_mentor(client):
    net = build_network()
    shown, html = panels(client, net.coordinator)
    assert "coordinator" in shown
    assert "2 followers without a mentor" in html
    assert reverse("mentoring:cohort", args=[net.cluster.slug]) in html
    assert "No group session planned." in html


def test_someone_in_no_cluster_sees_only_the_way_in(client):
    shown, html = panels(client, person("Lone Visitor"))
    assert shown == ["start"]  # only the first-run steps, joining a cluster among them
    assert "You are not in any cluster yet." in html


def test_a_newcomer_is_guided_step_by_step_and_returned_home(client):
    newcomer = person("Nina Newcomer", languages=())
    shown, html = panels(client, newcomer)
    assert shown == ["start"]
    assert "0 of 3 steps done" in html
    assert "Mentors and followers are matched on the languages they share" in html
    response = client.post(
        f"{reverse('profile_edit')}?next=/",
        {"display_name": "Nina Newcomer", "languages": ["es"], "time_zone": "America/Lima"},
    )
    assert response.status_code == 302 and response.url == "/"
    _shown, html = panels(client, newcomer)
    assert "1 of 3 steps done" in html


def test_the_way_back_never_leaves_the_site(client):
    newcomer = person("Nina Newcomer")
    client.force_login(newcomer)
    response = client.post(
        f"{reverse('profile_edit')}?next=https://evil.example/",
        {"display_name": "Nina", "languages": ["es"], "time_zone": "America/Lima"},
    )
    assert response.status_code == 302
    assert response.url == newcomer.profile.get_absolute_url()


def test_guidance_disappears_once_every_step_is_done(client):
    net = build_network()
    profile = net.ana.profile
    profile.time_zone = "America/Bogota"
    profile.save()
    net.ana.profile.organization.products.create(hs_code="0901", status="exports")
    shown, _html = panels(client, net.ana)
    assert "start" not in shown


def guide(net, author, title: str):
    return guides.create_guide(
        cluster_id=net.cluster.pk,
        by=author,
        title=title,
        summary="Papeles del primer contenedor.",
        body="Registro REX.",
        language="es",
    )


def test_every_line_is_read_with_its_panel_never_a_column_at_a_time(client, commit, refetched):
    """Panels read only the columns their lines show; a column left out would be fetched
    again for each line while the page renders. Every kind of line is on some home here."""
    net = build_network()
    accepted = pairings.accept_pairing(
        pairing=pairings.request_mentor(follower=net.felipe, offer=net.ana_offer), by=net.ana
    )
    pairings.request_mentor(follower=net.gabi, offer=net.ana_offer)
    goal = goals.add_goal(
        pairing=accepted, by=net.ana, outcome="entry", title="Primer contenedor", year=NEXT_YEAR
    )
    goals.add_milestone(goal=goal, by=net.felipe, title="Registro REX")
    move_to_past(one_to_one(net.ana, accepted, title="Revisión del contrato"))
    one_to_one(net.ana, accepted, title="Plan de exportación")
    group_session(net, title="Taller de catación")
    ask(net, net.gabi, "¿Qué certificado pide Alemania?", ["CERTIFICATION"])  # any case
    replied = ask(net, net.felipe, "¿Fletes a Hamburgo?", ["fletes"])
    forum_services.post_reply(topic=replied, author=net.bruno, body="Consolidado, mejor.")
    guide(net, net.ana, "Café a Alemania")
    guides.submit_for_review(guide=guide(net, net.ana, "Cacao a Bélgica"), by=net.ana)
    cacao = make_cluster(coordinator=net.coordinator, name="Cacao Abierto")
    network_services.request_to_join(cluster=cacao, user=net.outsider, role="mentor")
    with commit():
        fair = forum_services.announce(
            cluster=net.cluster, by=net.coordinator, title="Feria en Hamburgo", body="Inscríbanse."
        )

    _shown, html = panels(client, net.ana)
    assert "Gabi Follower would like you as mentor (Cafés del Huila)" in html
    assert "¿Qué certificado pide Alemania?" in html
    assert "Plan de exportación" in html and "Café a Alemania" in html
    _shown, html = panels(client, net.felipe)
    assert "Sessions to confirm" in html and "Revisión del contrato" in html
    pairing_goals = f"{reverse('mentoring:pairing', args=[accepted.pk])}#goals"
    assert f'<a href="{pairing_goals}">Primer contenedor</a>' in html
    assert "0 of 1 milestones done" in html
    assert "Bruno Mentor" in html and "¿Fletes a Hamburgo?" in html
    assert f'<a href="{fair.get_absolute_url()}">Cafés del Huila: Feria en Hamburgo</a>' in html
    _shown, html = panels(client, net.coordinator)
    assert "Otto Outsider asks to join Cacao Abierto as Mentor" in html
    assert reverse("cluster_manage", args=[cacao.slug]) in html
    assert "Taller de catación" in html
    assert "Waiting for your review" in html and "Cacao a Bélgica" in html
    assert refetched == []


def test_a_guide_with_corrections_needs_its_author_however_many_guides_are_newer(client):
    """The panel asks the database for the guides that need their author; it does not pick
    them out of the latest few, where an older guide with a correction would be missed."""
    net = build_network()
    older = guide(net, net.coordinator, "Guía con una corrección")
    guides.submit_for_review(guide=older, by=net.coordinator)
    guides.publish(guide=older, by=net.coordinator, visibility="cluster")
    older.refresh_from_db()  # published since it was read
    guides.suggest_correction(guide=older, by=net.felipe, text="El registro REX cambió.")
    for number in range(12):
        newer = guide(net, net.coordinator, f"Guía publicada {number}")
        guides.submit_for_review(guide=newer, by=net.coordinator)
        guides.publish(guide=newer, by=net.coordinator, visibility="cluster")
    _shown, html = panels(client, net.coordinator)
    assert "Guía con una corrección" in html
    assert "1 correction suggested" in html
    assert "Guía publicada" not in html  # published, nothing to do
