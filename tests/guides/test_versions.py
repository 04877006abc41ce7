"""Every published change is a version with who, when and why; readers compare them."""

import pytest

from core.errors import DomainError
from guides import changes, services
from tests.factories import PASSWORD
from tests.guides.conftest import published, revise

pytestmark = pytest.mark.django_db


def test_each_publication_is_a_new_version_with_who_when_and_why(library):
    guide = published(library)
    guide = revise(library, guide, note="EU changed the REX threshold", body="Register in REX.")
    first, second = guide.versions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert second.published_by == library.coordinator and second.published_at >= first.published_at
    assert second.note == "EU changed the REX threshold"
    assert guide.current_version == second
    assert first.body.startswith("Register in REX.\nDeclare origin")  # never rewritten


def test_a_later_version_needs_a_reason(library):
    guide = published(library)
    services.update_draft(
        guide=guide, by=library.mentor, title="t", summary="s", body="b", language="en"
    )
    services.submit_for_review(guide=guide, by=library.mentor)
    with pytest.raises(DomainError):
        services.publish(guide=guide, by=library.coordinator, note="")


def test_comparison_lists_removed_and_added_lines():
    rows = changes.lines("one\ntwo\nthree", "one\n2\nthree\nfour")
    kinds = [(row.kind, row.text) for row in rows]
    assert ("removed", "two") in kinds and ("added", "2") in kinds and ("added", "four") in kinds
    assert ("same", "one") in kinds
    assert changes.lines("same", "same") == []


def test_readers_see_the_current_version_and_can_open_and_compare_earlier_ones(client, library):
    guide = published(library, body="Old advice.\nKeep this line.")
    guide = revise(
        library,
        guide,
        note="Safer advice",
        body="<script>alert(1)</script> New advice.\nKeep this line.",
        markets=["DE", "EU27"],
    )
    assert client.login(email=library.follower.email, password=PASSWORD)
    page = client.get(guide.get_absolute_url()).content.decode()
    assert "New advice." in page and "Old advice." not in page
    assert "<script>alert(1)</script>" not in page  # sanitised Markdown

    history = client.get(f"/guides/{guide.pk}/versions/").content.decode()
    assert "Safer advice" in history and "v1" in history and "v2" in history
    assert "Old advice." in client.get(f"/guides/{guide.pk}/versions/1/").content.decode()

    compared = client.get(f"/guides/{guide.pk}/compare/?from=1&to=2").content.decode()
    assert "diff-removed" in compared and "Old advice." in compared
    assert "&lt;script&gt;alert(1)&lt;/script&gt; New advice." in compared  # escaped, not run
    assert "<script>alert" not in compared
    assert "European Union" in compared  # the market added


def test_comparing_versions_that_do_not_exist_is_404(client, library):
    guide = published(library)
    assert client.login(email=library.follower.email, password=PASSWORD)
    assert client.get(f"/guides/{guide.pk}/compare/?from=1&to=7").status_code == 404
    assert client.get(f"/guides/{guide.pk}/versions/9/").status_code == 404


def test_authors_see_their_draft_changes_against_the_published_version(client, library):
    guide = published(library)
    services.update_draft(
        guide=guide,
        by=library.mentor,
        title=guide.title,
        summary=guide.summary,
        body="Register in REX.\nA brand new step.",
        language="en",
    )
    assert client.login(email=library.mentor.email, password=PASSWORD)
    page = client.get(f"/guides/{guide.pk}/draft/").content.decode()
    assert "A brand new step." in page and "diff-added" in page
    assert client.login(email=library.follower.email, password=PASSWORD)
    assert client.get(f"/guides/{guide.pk}/draft/").status_code == 404
