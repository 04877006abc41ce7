"""Two members on one topic: a reply appears live, and a page that was offline catches up."""

import re

import pytest
from playwright.sync_api import expect

from forums import services
from tests.factories import PASSWORD
from tests.forums.conftest import build_forum

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, url, user):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('My network')")
    return context, page


def test_reply_appears_live_and_offline_page_catches_up(browser, daphne_url, screenshot_dir):
    forum = build_forum()
    topic = services.start_topic(
        room=forum.room,
        author=forum.follower,
        title="Reefer settings for avocados",
        body="What temperature?",
        kind="question",
    )
    writer_context, writer = _sign_in(browser, daphne_url, forum.mentor)
    reader_context, reader = _sign_in(browser, daphne_url, forum.follower)
    for page in (writer, reader):
        page.goto(f"{daphne_url}{topic.get_absolute_url()}")
        expect(page.locator("#forum-live-state")).to_have_text("Live")
    reader.evaluate("window.__marker = 'no reload'")

    writer.fill("#reply-form textarea", "Keep them at **5 °C** and 90% humidity.")
    writer.click("#reply-form button[type=submit]")
    expect(reader.locator("#posts")).to_contain_text("Keep them at 5 °C")
    # Announced to screen readers through a polite status region.
    expect(reader.locator("#forum-announce[aria-live=polite]")).to_have_text(
        f"New reply from {forum.mentor.profile.display_name}"
    )
    expect(writer.locator("#reply-form textarea")).to_have_value("")
    # The reply as the reader's own card (with its author's link) before the network goes.
    expect(reader.locator(f"#posts a[href='/people/{forum.mentor.pk}/']")).to_be_visible()
    assert reader.evaluate("window.__marker") == "no reload"
    reader.screenshot(path=screenshot_dir / "reader-live.png", full_page=True)

    reader_context.set_offline(True)
    expect(reader.locator("#forum-live-state")).to_have_text("Reconnecting…")
    # The writer types the next reply while the first is still on its way: the first's
    # acknowledgement clears only what it sent, so the second is kept and then sent.
    writer.fill("#reply-form textarea", "Missed one: ethylene control.")
    writer.click("#reply-form button[type=submit]")
    writer.fill("#reply-form textarea", "Missed two: pre-cool before loading.")
    writer.click("#reply-form button[type=submit]")
    expect(writer.locator("#posts")).to_contain_text("Missed one: ethylene control.")
    expect(writer.locator("#posts")).to_contain_text("Missed two: pre-cool before loading.")
    expect(writer.locator("#reply-form textarea")).to_have_value("")
    reader_context.set_offline(False)
    expect(reader.locator("#forum-live-state")).to_have_text("Live")
    expect(reader.locator("#posts")).to_contain_text("Missed two")
    bodies = reader.locator("#posts article").all_inner_texts()
    assert [i for i, b in enumerate(bodies) if "Missed one" in b] == [2]
    assert [i for i, b in enumerate(bodies) if "Missed two" in b] == [3]
    assert len(bodies) == 4  # the question, the live reply, the two missed: no duplicates
    reader.screenshot(path=screenshot_dir / "reader-caught-up.png", full_page=True)
    writer.screenshot(path=screenshot_dir / "writer.png", full_page=True)
    assert reader.console_errors == [] and writer.console_errors == []
    assert topic.posts.count() == 4
    writer_context.close()
    reader_context.close()


def _shown(page, post_id: int) -> str:
    """The post as the page shows it, its per-render CSRF masks made equal."""
    html = page.locator(f"#post-{post_id}").evaluate("article => article.outerHTML")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)


def test_a_live_post_looks_and_acts_as_after_a_reload(browser, daphne_url):
    forum = build_forum()
    topic = services.start_topic(
        room=forum.room, author=forum.follower, title="Pallets", body="ISPM 15?", kind="question"
    )
    for reader in (forum.follower, forum.coordinator):
        reader.profile.time_zone = "America/Bogota"  # the browser's own is UTC
        reader.profile.save()
    contexts, pages = [], {}
    for name in ("mentor", "follower", "coordinator"):
        context, page = _sign_in(browser, daphne_url, getattr(forum, name))
        page.goto(f"{daphne_url}{topic.get_absolute_url()}")
        expect(page.locator("#forum-live-state")).to_have_text("Live")
        contexts.append(context)
        pages[name] = page
    pages["mentor"].fill("#reply-form textarea", "Heat-treated, stamped **HT**.")
    pages["mentor"].click("#reply-form button[type=submit]")
    expect(pages["mentor"].locator("#reply-form textarea")).to_have_value("")
    post = topic.posts.latest("id")
    live = {}
    for name in ("follower", "coordinator"):
        page = pages[name]
        article = page.locator(f"#post-{post.pk}")
        # The asker may accept it, a coordinator hide it; both may find it helpful.
        expect(article.locator(f"a[href='/people/{forum.mentor.pk}/']")).to_be_visible()
        expect(article.get_by_role("button", name="Helpful")).to_be_visible()
        expect(article.get_by_role("button", name="Accept this answer")).to_be_visible()
        if name == "coordinator":
            expect(article.get_by_role("button", name="Hide")).to_be_visible()
        live[name] = _shown(page, post.pk)
    for name, shown in live.items():
        pages[name].reload()
        expect(pages[name].locator(f"#post-{post.pk}")).to_be_visible()
        assert _shown(pages[name], post.pk) == shown, name
    assert all(not page.console_errors for page in pages.values())
    for context in contexts:
        context.close()
