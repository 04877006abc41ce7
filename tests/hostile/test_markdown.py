"""The hostile Markdown and HTML corpus, through every place the project renders members' text.

Each input of corpus.json goes through the renderer itself, a new topic's first post, an
edited post, the topic page, the edit history, a guide's draft preview, its published
version and the comparison of versions; every output is parsed and must hold nothing that
runs, loads from elsewhere, submits, restyles or misleads about where a link goes.
"""

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import DomainError
from forums import rendering
from forums import selectors as forum_selectors
from forums import services as forums
from guides import services as guides
from tests.hostile.harmless import fragments, page_problems, problems
from tests.reporting import report

pytestmark = pytest.mark.django_db

CORPUS = json.loads((Path(__file__).parent / "corpus.json").read_text(encoding="utf-8"))
ALLOWED = set(rendering.TAGS)
CHUNK = 25  # inputs per topic page, under its 30 posts


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_corpus_covers_every_kind_of_attack():
    kinds = {item["category"] for item in CORPUS}
    assert kinds >= {
        "script",
        "event handler",
        "dangerous link",
        "outside image",
        "svg",
        "css",
        "malformed",
        "embedding",
        "homoglyph link",
        "template injection",
    }
    assert len(CORPUS) >= 200


def _guide_version(side, guide, body: str, note: str):
    """Draft, review and publish `body` as the guide's next version; its stored HTML."""
    guides.update_draft(
        guide=guide, by=side.mentor, title="Guía", summary="Resumen.", body=body, language="es"
    )
    guides.submit_for_review(guide=guide, by=side.mentor)
    return guides.publish(guide=guide, by=side.coordinator, note=note).body_html


def test_every_hostile_input_is_rendered_harmless_everywhere(world):
    """Each input through each renderer on its own; then the pages, a chunk of inputs at a
    time (a topic page holds 30 posts), so the templates around them are checked too."""
    side = world.a
    reader, author = _signed_in(side.follower), _signed_in(side.mentor)
    tried = harmless = 0
    failures = []

    def check(number: int, item: dict, where: str, html: str) -> None:
        nonlocal tried, harmless
        tried += 1
        found = problems(html, allowed=ALLOWED)
        if item.get("never") and item["never"] in html:
            found.append(f"template evaluated: {item['never']} shown")
        if found:
            failures.append(
                f"{item['category']} #{number} {item['input'][:60]!r} {where}: {found}"
            )
        else:
            harmless += 1

    numbered = list(enumerate(CORPUS, start=1))
    for start in range(0, len(numbered), CHUNK):
        chunk = numbered[start : start + CHUNK]
        topic = forums.start_topic(
            room=side.room, author=side.follower, title=f"Hostile {start}", body="Carrier."
        )
        carrier = topic.posts.get()
        refused: set[int] = set()
        for number, item in chunk:
            text = item["input"]
            check(number, item, "rendered", rendering.render(text))
            try:
                post = forums.post_reply(topic=topic, author=side.follower, body=text)
                edited = forums.edit_post(post=carrier, by=side.follower, body=text)
            except DomainError:
                refused.add(number)  # refused is harmless too
                continue
            check(number, item, "as a post", post.body_html)
            check(number, item, "as an edit", edited.body_html)
            check(number, item, "as a guide", _guide_version(side, side.guide, text, f"{number}"))
        # Earlier versions are rendered again when shown, by the history page's selector.
        _post, revisions = forum_selectors.post_history(side.follower, carrier.pk)
        by_body = {revision.body: revision.body_html for revision in revisions}
        for number, item in chunk:
            if number not in refused and item["input"].strip() in by_body:
                check(number, item, "in the history", by_body[item["input"].strip()])

        # The pages around the content: the chunk's topic, the carrier's history, and a
        # guide holding the whole chunk as a draft, published, and compared with before.
        joined = "\n\n".join(item["input"] for _number, item in chunk)
        guides.update_draft(
            guide=side.guide,
            by=side.mentor,
            title="Guía",
            summary="Resumen.",
            body=joined,
            language="es",
        )
        pages = {
            "topic page": (reader, reverse("forums:topic", args=[topic.pk]), "post-body"),
            "history page": (
                reader,
                reverse("forums:post_history", args=[carrier.pk]),
                "post-body",
            ),
            "guide draft": (author, reverse("guides:draft", args=[side.guide.pk]), "guide-body"),
        }
        shown = {where: _page(client, url) for where, (client, url, _class) in pages.items()}
        guides.submit_for_review(guide=side.guide, by=side.mentor)
        guides.publish(guide=side.guide, by=side.coordinator, note=f"chunk {start}")
        pages["guide page"] = (reader, reverse("guides:guide", args=[side.guide.pk]), "guide-body")
        pages["compare page"] = (reader, reverse("guides:compare", args=[side.guide.pk]), None)
        for where in ("guide page", "compare page"):
            shown[where] = _page(reader, pages[where][1])
        for where, page in shown.items():
            css_class = pages[where][2]
            found = page_problems(page)
            if css_class:
                parts = fragments(page, css_class)
                assert parts, f"{where} shows no member content"
                found += [problem for html in parts for problem in problems(html, allowed=ALLOWED)]
            found += [
                f"template evaluated: {item['never']}"
                for _n, item in chunk
                if "never" in item and item["never"] in page
            ]
            assert not found, f"{where}, inputs {chunk[0][0]}-{chunk[-1][0]}: {found}"

    report("hostile inputs tried", tried)
    assert failures == [], "\n".join(failures)
    report("hostile inputs rendered or refused harmlessly", harmless)
    print(f"{len(CORPUS)} hostile inputs, {tried} renderings: all harmless")
