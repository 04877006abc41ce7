"""A follower finds an explained mentor, asks, the mentor accepts, and they talk live."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from mentoring.models import Pairing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "pioneros-demo"


def _sign_in(browser, url, email, *, width=1200):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('My network')")
    return context, page


@pytest.fixture
def demo_network():
    # Before the browser starts: Playwright's loop would make the seed's live events fail.
    call_command("seed_demo", verbosity=0)


def test_follower_requests_an_explained_mentor_who_accepts_and_they_talk_live(
    demo_network, browser, daphne_url, screenshot_dir
):
    follower_context, follower = _sign_in(
        browser, daphne_url, "andres@demo.pioneros.test", width=390
    )
    follower.goto(f"{daphne_url}/mentoring/")
    first = follower.locator(".suggestions > li").first
    expect(first).to_contain_text("Lucía Restrepo")
    expect(first).to_contain_text("to Germany, your target market")
    expect(first).to_contain_text("speaks Spanish")
    follower.screenshot(path=screenshot_dir / "1-suggestions-phone.png", full_page=True)

    first.get_by_role("link", name="Ask for this mentor").click()
    expect(follower.locator("h1")).to_contain_text("Ask Lucía Restrepo to mentor you")
    follower.get_by_label("Message to the mentor").fill(
        "Queremos enviar café verde a Hamburgo el próximo año."
    )
    follower.get_by_role("button", name="Send request").click()
    expect(follower.locator(".alert-success")).to_contain_text(
        "Your request was sent to Lucía Restrepo"
    )
    # The request just sent (the demo's Andrés was mentored by Camila before: it ended).
    pairing = Pairing.objects.get(follower__email="andres@demo.pioneros.test", status="requested")

    mentor_context, mentor = _sign_in(browser, daphne_url, "lucia@demo.pioneros.test")
    mentor.goto(f"{daphne_url}/mentoring/")
    waiting = mentor.locator("section[aria-labelledby=waiting-heading]")
    expect(waiting).to_contain_text("Andrés Molina would like you as mentor")
    waiting.get_by_role("link", name="Answer").click()
    expect(mentor.locator("main")).to_contain_text("Queremos enviar café verde a Hamburgo")
    mentor.get_by_role("button", name="Accept").click()
    expect(mentor.locator("#pairing-status")).to_have_text("Active")
    mentor.screenshot(path=screenshot_dir / "2-mentor-accepted.png", full_page=True)

    for page in (mentor, follower):
        page.goto(f"{daphne_url}{pairing.get_absolute_url()}")
        page.get_by_role("link", name="Open our conversation").click()
        expect(page.locator("#forum-live-state")).to_have_text("Live")
    follower.evaluate("window.__marker = 'no reload'")

    mentor.fill("#reply-form textarea", "¡Bienvenido! Empecemos por el registro **REX**.")
    mentor.click("#reply-form button[type=submit]")
    expect(follower.locator("#posts")).to_contain_text("Empecemos por el registro REX")
    follower.fill("#reply-form textarea", "Perfecto, ya tenemos el RUT al día.")
    follower.click("#reply-form button[type=submit]")
    expect(mentor.locator("#posts")).to_contain_text("ya tenemos el RUT al día")
    assert follower.evaluate("window.__marker") == "no reload"
    follower.screenshot(path=screenshot_dir / "3-conversation-phone.png", full_page=True)
    mentor.screenshot(path=screenshot_dir / "4-conversation-mentor.png", full_page=True)

    assert follower.console_errors == [] and mentor.console_errors == []
    follower_context.close()
    mentor_context.close()
