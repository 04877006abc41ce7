"""Draft → in review → published → needs review → archived, and who may take each step."""

import pytest

from core.errors import DomainError, NotAllowed
from guides import services
from guides.models import Guide, ReviewComment
from tests.factories import PASSWORD, add_member
from tests.guides.conftest import draft, published

pytestmark = pytest.mark.django_db
Status = Guide.Status


def _edit(guide, by, **fields):
    values = {"title": guide.title, "summary": guide.summary, "body": guide.body}
    values.update(language="en", **fields)
    return services.update_draft(guide=guide, by=by, **values)


def test_a_mentor_starts_a_draft_as_its_author(library):
    guide = draft(library)
    assert guide.status == Status.DRAFT and guide.current_version is None
    assert list(guide.authors.all()) == [library.mentor]


def test_followers_and_outsiders_cannot_start_a_guide(library):
    for person in (library.follower, library.outsider):
        with pytest.raises(NotAllowed):
            draft(library, author=person)
    assert not Guide.objects.exists()


def test_only_authors_edit_a_draft(library):
    guide = draft(library)
    for person in (library.coordinator, library.other_mentor, library.follower):
        with pytest.raises(NotAllowed):
            _edit(guide, person, title="Hijacked")
    _edit(guide, library.mentor, title="Coffee to Hamburg")
    guide.refresh_from_db()
    assert guide.title == "Coffee to Hamburg"


def test_a_co_author_added_by_an_author_may_edit(library):
    guide = draft(library)
    services.add_author(guide=guide, author=library.other_mentor, by=library.mentor)
    _edit(guide, library.other_mentor, title="Together")
    assert Guide.objects.get(pk=guide.pk).title == "Together"
    with pytest.raises(DomainError):
        services.add_author(guide=guide, author=library.follower, by=library.mentor)


def test_only_coordinators_publish(library):
    guide = draft(library)
    services.submit_for_review(guide=guide, by=library.mentor)
    for person in (library.mentor, library.other_mentor, library.follower):
        with pytest.raises(NotAllowed):
            services.publish(guide=guide, by=person)
    version = services.publish(guide=guide, by=library.coordinator, visibility="network")
    guide.refresh_from_db()
    assert guide.status == Status.PUBLISHED and guide.current_version == version
    assert guide.visibility == "network" and guide.check_by is not None


def test_a_coordinator_does_not_publish_their_own_guide_when_another_can_review(library):
    second = add_member(library.cluster, role="coordinator")
    guide = draft(library, author=library.coordinator)
    services.submit_for_review(guide=guide, by=library.coordinator)
    with pytest.raises(NotAllowed):
        services.publish(guide=guide, by=library.coordinator)
    services.publish(guide=guide, by=second)
    guide.refresh_from_db()
    assert guide.status == Status.PUBLISHED


def test_a_sole_coordinator_publishes_their_own_guide_and_the_trail_says_so(library):
    guide = draft(library, author=library.coordinator)
    services.submit_for_review(guide=guide, by=library.coordinator)
    services.publish(guide=guide, by=library.coordinator)
    guide.refresh_from_db()
    assert guide.status == Status.PUBLISHED
    step = guide.comments.get(action=ReviewComment.Action.PUBLISHED)
    assert "no other coordinator" in step.text


def test_a_draft_must_be_reviewed_before_publishing(library):
    guide = draft(library)
    with pytest.raises(DomainError):
        services.publish(guide=guide, by=library.coordinator)


def test_returned_with_comments_back_to_draft_and_frozen_while_in_review(library):
    guide = draft(library)
    services.submit_for_review(guide=guide, by=library.mentor, note="Ready")
    with pytest.raises(DomainError):
        _edit(guide, library.mentor, title="Sneaky change in review")
    with pytest.raises(DomainError):
        services.return_to_authors(guide=guide, by=library.coordinator, note=" ")
    services.return_to_authors(guide=guide, by=library.coordinator, note="Add costs")
    services.comment(guide=guide, by=library.mentor, text="Costs added")
    guide.refresh_from_db()
    assert guide.status == Status.DRAFT
    trail = list(guide.comments.values_list("action", "text"))
    assert trail[-2:] == [("returned", "Add costs"), ("comment", "Costs added")]
    with pytest.raises(NotAllowed):
        services.comment(guide=guide, by=library.follower, text="me too")


def test_editing_a_published_guide_drafts_its_next_version_readers_keep_the_first(library):
    guide = published(library)
    _edit(guide, library.mentor, body="Everything changed.")
    guide.refresh_from_db()
    assert guide.status == Status.DRAFT
    assert guide.current_version.body.startswith("Register in REX")


def test_needs_review_then_confirmed_then_archived(library):
    guide = published(library)
    services.flag_for_review(guide=guide, by=library.coordinator, note="New EU rule")
    assert Guide.objects.get(pk=guide.pk).status == Status.NEEDS_REVIEW
    services.confirm_current(guide=guide, by=library.mentor)
    assert Guide.objects.get(pk=guide.pk).status == Status.PUBLISHED
    with pytest.raises(NotAllowed):
        services.archive(guide=guide, by=library.mentor)
    services.archive(guide=guide, by=library.coordinator)
    guide.refresh_from_db()
    assert guide.status == Status.ARCHIVED and not guide.is_listed
    with pytest.raises(DomainError):
        _edit(guide, library.mentor, title="Back from the dead")
    actions = set(ReviewComment.objects.filter(guide=guide).values_list("action", flat=True))
    assert {"created", "submitted", "published", "flagged", "confirmed", "archived"} <= actions


def _login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def test_pages_let_authors_edit_and_coordinators_publish(client, library):
    guide = draft(library)
    _login(client, library.other_mentor)
    assert client.get(f"/guides/{guide.pk}/edit/").status_code == 404  # not theirs, not shown
    _login(client, library.mentor)
    response = client.post(
        f"/guides/{guide.pk}/edit/",
        {
            "title": "Coffee to Germany, step by step",
            "summary": "s",
            "body": "b",
            "language": "en",
            "products": "0901, 09",
            "markets": ["DE", "EU27"],
            "topics": ["origin"],
        },
    )
    assert response.status_code == 302
    assert Guide.objects.get(pk=guide.pk).products == ["0901", "09"]
    client.post(f"/guides/{guide.pk}/submit/", {"note": ""})
    assert (
        client.post(
            f"/guides/{guide.pk}/publish/", {"visibility": "cluster", "check_by": "2099-01-01"}
        ).status_code
        == 403
    )
    _login(client, library.coordinator)
    page = client.get(f"/guides/{guide.pk}/draft/")
    assert "Publish this version" in page.content.decode()
    response = client.post(
        f"/guides/{guide.pk}/publish/",
        {"visibility": "network", "check_by": "2099-01-01", "note": ""},
        follow=True,
    )
    assert "Published as version 1." in response.content.decode()
    assert Guide.objects.get(pk=guide.pk).status == Status.PUBLISHED


def test_new_guide_page_is_for_writers_only(client, library):
    _login(client, library.follower)
    assert client.get("/guides/new/").status_code == 302
    _login(client, library.mentor)
    response = client.post(
        "/guides/new/",
        {
            "cluster": library.cluster.pk,
            "title": "Air freight",
            "summary": "How",
            "body": "Book",
            "language": "es",
            "products": "",
            "topics": ["logistics"],
        },
    )
    guide = Guide.objects.get(title="Air freight")
    assert response.status_code == 302 and guide.language == "es"
    assert guide.topics == ["logistics"]


def test_a_comment_longer_than_the_trail_holds_is_refused_with_a_message_not_cut(client, library):
    guide = draft(library)
    _login(client, library.mentor)
    response = client.post(f"/guides/{guide.pk}/comment/", {"text": "x" * 4001}, follow=True)
    assert "at most 4,000 characters" in response.content.decode()
    assert not ReviewComment.objects.filter(action="comment").exists()
    client.post(f"/guides/{guide.pk}/comment/", {"text": "Costs\x00 added"})
    assert ReviewComment.objects.get(action="comment").text == "Costs added"
