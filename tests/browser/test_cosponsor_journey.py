"""Two agencies, one cluster, in the demo network: the second sponsor's officer reads the
first sponsor's programme (figures shared in the demo), opens the cluster calendar and the
programme page; a member of the cluster opens the same calendar. Three languages, a phone
and a desktop; every page is checked as in the role journeys (tests/browser/journeys.py)."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.journeys import LANGUAGES, WIDTHS, Walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.journeys,
    pytest.mark.django_db(transaction=True),
]

WALKS = [("es", "phone"), ("pt_BR", "phone"), ("en", "desktop")]
HUILA = "/clusters/cafe-de-especialidad-del-huila/calendar/"


def officer_journey(walk: Walk) -> None:
    walk.sign_in("ines@demo.pioneros.test")
    walk.go("/agency/")
    expect(walk.page.locator("#co-sponsor-list")).to_contain_text("Mentores del Café 2026")
    walk.follow(f"#co-sponsor-list a[href='{HUILA}']")
    expect(walk.page.locator("#cluster-calendar")).to_contain_text("Primeros Embarques 2026")
    walk.go("/agency/")
    walk.follow("main li a[href^='/agency/programmes/']:not([href$='/new/'])")
    # The programme page leads back to the co-sponsors its agency page lists.
    walk.follow("#co-sponsors a[href$='/agency/#co-sponsors']")
    co_sponsors = walk.page.locator("#co-sponsor-list")
    expect(co_sponsors).to_contain_text("Agencia Andina de Exportaciones")


def member_journey(walk: Walk) -> None:
    walk.sign_in("lucia@demo.pioneros.test")
    walk.go("/clusters/cafe-de-especialidad-del-huila/sessions/")
    walk.follow(f"main a[href='{HUILA}']")
    expect(walk.page.locator("#cluster-calendar")).to_contain_text("Mentores del Café 2026")


def test_co_sponsors_and_members_read_the_shared_cluster(browser, daphne_url, screenshot_dir):
    from axe_playwright_python.sync_playwright import Axe

    call_command("seed_demo", verbosity=0)
    axe, problems, pages = Axe(), [], 0
    for journey in (officer_journey, member_journey):
        for number, (language, width) in enumerate(WALKS):
            cache.clear()  # allauth's rate limits count sign-ins per address
            context = browser.new_context(
                viewport={"width": WIDTHS[width], "height": 900}, locale=LANGUAGES[language]
            )
            shots = screenshot_dir / f"{journey.__name__}-{language}-{width}"
            shots.mkdir(parents=True, exist_ok=True)
            walk = Walk(context.new_page(), daphne_url, language, width, shots, axe, number == 0)
            try:
                journey(walk)
            finally:
                context.close()
            problems += walk.problems
            pages += len(walk.visited)
    print(f"co-sponsor journeys: {pages} pages checked")
    assert problems == [], "\n".join(problems)
