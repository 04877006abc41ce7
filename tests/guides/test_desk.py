"""The desk: what authors write (with readers' open corrections) and coordinators review."""

import pytest

from guides import services
from tests.factories import PASSWORD
from tests.guides.conftest import draft, published

pytestmark = pytest.mark.django_db


def test_the_review_queue_leads_to_the_working_copy_and_says_what_is_new(client, library):
    first = draft(library, title="Cold chain to Rotterdam")
    services.submit_for_review(guide=first, by=library.mentor)
    update = published(library, title="Coffee to Germany")
    services.update_draft(
        guide=update,
        by=library.mentor,
        title=update.title,
        summary=update.summary,
        body=update.body + "\nAsk the buyer for the lab list.",
        language="en",
    )
    services.submit_for_review(guide=update, by=library.mentor)

    assert client.login(email=library.coordinator.email, password=PASSWORD)
    page = client.get("/guides/desk/").content.decode()
    assert f'href="/guides/{first.pk}/draft/"' in page and "First version" in page
    assert f'href="/guides/{update.pk}/draft/"' in page and "Changes since version 1" in page


def test_a_mentor_sees_open_corrections_and_no_review_queue(client, library):
    guide = published(library)
    services.suggest_correction(guide=guide, by=library.follower, text="It is 6,000 EUR now.")
    assert client.login(email=library.mentor.email, password=PASSWORD)
    page = client.get("/guides/desk/").content.decode()
    assert "Corrections suggested: 1" in page
    assert "review-heading" not in page


def test_reviewing_a_change_stays_on_the_working_copy(client, library):
    guide = published(library)
    services.update_draft(
        guide=guide,
        by=library.mentor,
        title=guide.title,
        summary=guide.summary,
        body=guide.body + "\nAsk the buyer for the lab list.",
        language="en",
    )
    services.submit_for_review(guide=guide, by=library.mentor)
    assert client.login(email=library.coordinator.email, password=PASSWORD)
    draft_url = f"/guides/{guide.pk}/draft/"
    comment = client.post(f"/guides/{guide.pk}/comment/", {"text": "Source?", "back": "draft"})
    assert comment.url == draft_url
    # Without a reason the change is not published, and she is still looking at it.
    form = {"visibility": "cluster", "check_by": "2999-01-01", "back": "draft"}
    refused = client.post(f"/guides/{guide.pk}/publish/", form, follow=True)
    assert refused.redirect_chain[0][0] == draft_url
    assert "Say what changed and why." in refused.content.decode()
    done = client.post(f"/guides/{guide.pk}/publish/", {**form, "note": "Lab list added"})
    assert done.url == guide.get_absolute_url()
    guide.refresh_from_db()
    assert guide.current_version.number == 2
