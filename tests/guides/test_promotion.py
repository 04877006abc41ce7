"""An accepted answer becomes a draft guide in one step, quoted, credited and linked back."""

import pytest
from django.utils import translation

from core.errors import DomainError, NotAllowed
from forums import services as forum_services
from forums.models import Topic
from guides import services
from guides.models import Guide
from tests.factories import PASSWORD
from tests.guides.conftest import Library

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(library: Library):
    room = forum_services.forum_of(library.cluster)
    topic = forum_services.start_topic(
        room=room,
        author=library.follower,
        title="Which origin proof for Germany?",
        body="We ship green coffee to Hamburg.\nWhich document proves origin?",
        kind=Topic.Kind.QUESTION,
        tags=["rules of origin", "0901", "alemania"],
    )
    answer = forum_services.post_reply(
        topic=topic, author=library.other_mentor, body="Register in **REX**, then declare it."
    )
    other = forum_services.post_reply(topic=topic, author=library.mentor, body="Ask a broker.")
    forum_services.accept_answer(post=answer, by=library.follower)
    return topic, answer, other


def test_the_draft_quotes_question_and_answer_with_names_and_a_link_back(library, answered):
    topic, answer, _other = answered
    guide = services.promote_answer(post=answer, by=library.mentor)
    assert guide.status == Guide.Status.DRAFT and guide.title == topic.title
    assert "> We ship green coffee to Hamburg.\n> Which document proves origin?" in guide.body
    assert "> Register in **REX**, then declare it." in guide.body
    assert "Fabi Follower" in guide.body and "Nora Mentor" in guide.body
    assert f"/topics/{topic.pk}/#post-{answer.pk}" in guide.body
    assert guide.promoted_from == answer
    assert set(guide.authors.all()) == {library.mentor, library.other_mentor}
    # The question's tags file the guide: a topic, a product, a market named in Spanish.
    assert (guide.topics, guide.products, guide.markets) == (["origin"], ["0901"], ["DE"])


def test_promoting_again_returns_the_same_draft(library, answered):
    _topic, answer, _other = answered
    first = services.promote_answer(post=answer, by=library.mentor)
    assert services.promote_answer(post=answer, by=library.coordinator) == first
    assert Guide.objects.count() == 1


def test_only_an_accepted_answer_by_a_mentor_or_coordinator(library, answered):
    _topic, answer, other = answered
    with pytest.raises(DomainError):
        services.promote_answer(post=other, by=library.mentor)
    with pytest.raises(NotAllowed):
        services.promote_answer(post=answer, by=library.follower)
    assert not Guide.objects.exists()


def test_the_button_shows_on_the_accepted_answer_for_mentors_only(client, library, answered):
    topic, answer, _other = answered
    promote_url = f"/guides/from-answer/{answer.pk}/"
    assert client.login(email=library.follower.email, password=PASSWORD)
    assert promote_url not in client.get(topic.get_absolute_url()).content.decode()
    assert client.post(promote_url).status_code == 403

    assert client.login(email=library.mentor.email, password=PASSWORD)
    assert promote_url in client.get(topic.get_absolute_url()).content.decode()
    response = client.post(promote_url)
    guide = Guide.objects.get()
    assert response.status_code == 302 and response.url == f"/guides/{guide.pk}/edit/"


def test_outsiders_cannot_promote_from_a_private_forum(client, library, answered):
    _topic, answer, _other = answered
    assert client.login(email=library.outsider.email, password=PASSWORD)
    assert client.post(f"/guides/from-answer/{answer.pk}/").status_code == 404


def test_the_draft_is_filed_and_introduced_in_the_language_of_the_exchange(library):
    room = forum_services.forum_of(library.cluster)
    topic = forum_services.start_topic(
        room=room,
        author=library.follower,
        title="¿Qué certificado pide Alemania?",
        body="Vamos a enviar café a Hamburgo. ¿Qué certificado de origen pide el comprador?",
        kind=Topic.Kind.QUESTION,
    )
    answer = forum_services.post_reply(
        topic=topic, author=library.mentor, body="Con el registro REX basta la declaración."
    )
    forum_services.accept_answer(post=answer, by=library.follower)
    with translation.override("en"):  # the promoter reads the site in English
        guide = services.promote_answer(post=answer, by=library.mentor)
    assert guide.language == "es"
    assert "**Pregunta** de Fabi Follower" in guide.body
    assert "**Respuesta aceptada** de Mateo Mentor" in guide.body
    assert f"[Lee el debate completo en el foro]({answer.get_absolute_url()})" in guide.body


def test_once_started_the_question_points_to_the_guide_instead_of_the_button(
    client, library, answered
):
    topic, answer, _other = answered
    guide = services.promote_answer(post=answer, by=library.mentor)
    promote_url = f"/guides/from-answer/{answer.pk}/"
    assert client.login(email=library.coordinator.email, password=PASSWORD)
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "A guide was started from this answer" in page
    assert guide.get_absolute_url() in page and promote_url not in page
    # A page opened before then still has the button: it leads to the guide already started.
    response = client.post(promote_url, follow=True)
    assert response.redirect_chain[0][0] == guide.get_absolute_url()
    assert "A guide was already started from this answer." in response.content.decode()
    assert Guide.objects.count() == 1
