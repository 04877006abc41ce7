"""The coordinator's tools at a real cluster's size, walked in English, Spanish and Portuguese,
on a phone and a desktop: a list of people previewed and sent, an announcement written and
read by a member, the reports page; and the officer's programmes and clusters side by side.
Every page checked by axe-core, for sideways scrolling and for English left untranslated."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from network.models import Invitation
from tests.browser.journeys import LANGUAGES, WIDTHS, Walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLUSTER = "/clusters/cafe-de-especialidad-del-huila"
PEOPLE = (
    "email;role;name\n"
    "nueva.socia@example.org;follower;Nueva Socia\n"
    "nuevo.mentor@example.org;mentor;=Nuevo Mentor\n"
    "not-an-address;follower;Nadie\n"
    "lucia@demo.pioneros.test;mentor;Lucía\n"
)


@pytest.fixture
def demo_network():
    call_command("seed_demo", verbosity=0)


def coordinator(walk: Walk) -> None:
    walk.sign_in("lucia@demo.pioneros.test")
    walk.go(f"{CLUSTER}/")
    expect(walk.page.locator("#announcements-heading")).to_be_visible()
    walk.go(f"{CLUSTER}/manage/")
    walk.follow(f"main a[href='{CLUSTER}/invite/list/']")
    if walk.first:
        walk.page.set_input_files(
            "input[type=file]",
            {"name": "socios.csv", "mimeType": "text/csv", "buffer": PEOPLE.encode()},
        )
        walk.click_through(walk.page.locator("main form button[type=submit]"))
        expect(walk.page.locator("main tbody tr")).to_have_count(4)
        walk.page.screenshot(path=walk.shots / "preview.png", full_page=True)
        walk.click_through(walk.page.locator("form[action$='/send/'] button"))
        expect(walk.page.locator(".alert-success")).to_be_visible()
        walk.go(f"{CLUSTER}/announcements/")
        walk.page.fill("input[name=title]", "Taller de costos de exportación")
        walk.page.fill("textarea[name=body]", "El **martes** a las 10: traigan sus costos.")
        walk.click_through(walk.page.locator("main form button[type=submit]"))
        expect(walk.page.locator(".alert-success")).to_be_visible()
    walk.go(f"{CLUSTER}/announcements/")
    walk.page.screenshot(path=walk.shots / "announcements.png", full_page=True)
    walk.go(f"{CLUSTER}/reports/")
    walk.page.screenshot(path=walk.shots / "reports.png", full_page=True)


def follower(walk: Walk) -> None:
    walk.sign_in("andres@demo.pioneros.test")
    walk.go(f"{CLUSTER}/")
    walk.follow("section[aria-labelledby=announcements-heading] a[href*='/announcements/']")
    walk.page.screenshot(path=walk.shots / "announcement.png", full_page=True)
    walk.go("/notifications/")


def officer(walk: Walk) -> None:
    walk.sign_in("valeria@demo.pioneros.test")
    walk.go("/agency/")
    walk.follow("main a[href='/agency/overview/']")
    expect(walk.page.locator("#clusters-heading")).to_be_visible()
    walk.page.screenshot(path=walk.shots / "overview.png", full_page=True)


ROLES = {"coordinator": coordinator, "follower": follower, "officer": officer}


@pytest.mark.parametrize("role", list(ROLES))
def test_coordinator_tools_journey(role, demo_network, browser, daphne_url, screenshot_dir):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []
    order = [("es", "phone")] + [
        (language, width)
        for language in LANGUAGES
        for width in WIDTHS
        if (language, width) != ("es", "phone")
    ]
    for number, (language, width) in enumerate(order):
        cache.clear()
        context = browser.new_context(
            viewport={"width": WIDTHS[width], "height": 900}, locale=LANGUAGES[language]
        )
        shots = screenshot_dir / f"{language}-{width}"
        shots.mkdir(parents=True, exist_ok=True)
        walk = Walk(context.new_page(), daphne_url, language, width, shots, axe, number == 0)
        try:
            ROLES[role](walk)
        finally:
            context.close()
        problems += walk.problems
    if role == "coordinator":
        assert set(
            Invitation.objects.filter(name__contains="Nuev").values_list("email", flat=True)
        ) == {
            "nueva.socia@example.org",
            "nuevo.mentor@example.org",
        }
    assert problems == [], "\n".join(problems)
