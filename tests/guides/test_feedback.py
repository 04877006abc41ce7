"""Readers' corrections reach the authors; guides show beside questions and other pages."""

from types import SimpleNamespace

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
    return Template("{% load slots %}" + template).render(Context({"request": request, **context}))


def test_a_goals_place_lists_guides_for_its_market_or_product(library):
    published(library, visibility="network", title="Coffee to Germany", markets=["EU27"])
    # A goal's market is a django-countries Country; its product one HS code, or none.
    goal = SimpleNamespace(market=Country("DE"), hs_code="")
    html = _render('{% slot "goal.aside" goal=goal %}', library.outsider, goal=goal)
    assert "Coffee to Germany" in html and "Guides for this goal" in html
    goal = SimpleNamespace(market="JP", hs_code="")
    assert _render('{% slot "goal.aside" goal=goal %}', library.outsider, goal=goal).strip() == ""
    goal = SimpleNamespace(market="", hs_code="0901")
    html = _render('{% slot "goal.aside" goal=goal %}', library.outsider, goal=goal)
    assert "Coffee to Germany" in html


def test_a_place_no_app_fills_shows_nothing(library):
    assert _render('{% slot "nobody.fills.this" goal=1 %}', library.outsider) == ""


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
