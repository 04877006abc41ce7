"""Readers' corrections reach the authors; guides show beside questions and other pages."""

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django_countries.fields import Country

from forums import services as forum_services
from forums.models import Topic
from guides import services
from guides.models import CorrectionSuggestion
from tests.factories import PASSWORD
from tests.guides.conftest import published

pytestmark = pytest.mark.django_db


def test_a_correction_reaches_the_authors_by_email_and_on_the_guide(client, library, commit):
    guide = published(library)
    assert client.login(email=library.follower.email, password=PASSWORD)
    mail.outbox.clear()
    with commit():
        response = client.post(
            f"/guides/{guide.pk}/correct/", {"text": "REX threshold is 6,000 EUR"}, follow=True
        )
    assert "sent to the authors" in response.content.decode()
    assert [message.to for message in mail.outbox] == [[library.mentor.email]]
    assert "REX threshold is 6,000 EUR" in mail.outbox[0].body

    assert client.login(email=library.mentor.email, password=PASSWORD)
    assert "REX threshold is 6,000 EUR" in client.get(guide.get_absolute_url()).content.decode()
    suggestion = CorrectionSuggestion.objects.get()
    client.post(f"/guides/corrections/{suggestion.pk}/accept/")
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.resolved_by == library.mentor


def test_the_useful_button_counts_a_reader_once(client, library):
    guide = published(library)
    assert client.login(email=library.follower.email, password=PASSWORD)
    client.post(f"/guides/{guide.pk}/useful/")
    response = client.post(f"/guides/{guide.pk}/useful/", follow=True)
    assert "already marked" in response.content.decode()
    guide.refresh_from_db()
    assert guide.useful_count == 1


def test_submitting_tells_the_coordinators(library, commit):
    guide = published(library)
    services.update_draft(
        guide=guide, by=library.mentor, title="t", summary="s", body="b", language="es"
    )
    mail.outbox.clear()
    with commit():
        services.submit_for_review(guide=guide, by=library.mentor, note="New fees")
    assert [message.to for message in mail.outbox] == [[library.coordinator.email]]


def _render(template: str, user, **context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load guides %}" + template).render(
        Context({"request": request, **context})
    )


def test_guides_for_tag_lists_guides_for_a_goals_market_or_product(library):
    published(library, visibility="network", title="Coffee to Germany", markets=["EU27"])
    html = _render(
        "{% guides_for markets=goal_market products=code %}",
        library.outsider,
        goal_market=Country("DE"),  # a goal's market is a django-countries Country
        code="",
    )
    assert "Coffee to Germany" in html
    assert _render("{% guides_for markets='JP' %}", library.outsider).strip() == ""
    html = _render("{% guides_for products='0901' %}", library.outsider)
    assert "Coffee to Germany" in html


def test_questions_show_guides_their_tags_point_to(client, library):
    published(library, visibility="cluster", title="Proving origin in the EU")
    room = forum_services.forum_of(library.cluster)
    topic = forum_services.start_topic(
        room=room,
        author=library.follower,
        title="Origin paperwork?",
        body="?",
        kind=Topic.Kind.QUESTION,
        tags=["rules of origin"],
    )
    assert client.login(email=library.follower.email, password=PASSWORD)
    assert "Proving origin in the EU" in client.get(topic.get_absolute_url()).content.decode()
