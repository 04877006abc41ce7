"""The agency's list of firm-years where firms' reports and customs differ, on a phone and on
a desktop in every language: axe-clean, no sideways scrolling, no English left over."""

import pytest
from django.core.cache import cache

from network.models import Organization
from tests.browser.journeys import LANGUAGES, WIDTHS, Walk
from tests.evidence.test_verified import Y, arranged, reported, with_customs
from tests.factories import PASSWORD

LONG_NAME = "Exportadora Agroindustrial de Cafés Especiales y Frutas Tropicales del Sur SAC"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    # Before the browser starts: Playwright's loop would make the arrangement's live events fail.
    world = arranged()
    Organization.objects.filter(pk=world.other.pk).update(name=LONG_NAME)
    reported(world.mentored, Y - 2, country="DE")  # customs: to US
    reported(world.other, Y - 1, hs="0803")  # customs: nothing
    with_customs(world, (world.ids[0], Y - 2, "090111", "US", "5"))
    return world


def test_the_differences_page_reads_on_a_phone_in_every_language(
    world, browser, daphne_url, screenshot_dir
):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []
    base = f"/agency/programmes/{world.programme.pk}"
    for language in LANGUAGES:
        for width in ("phone",) if language != "en" else tuple(WIDTHS):
            cache.clear()  # allauth's rate limits count sign-ins per address
            context = browser.new_context(
                viewport={"width": WIDTHS[width], "height": 900}, locale=LANGUAGES[language]
            )
            shots = screenshot_dir / f"{language}-{width}"
            shots.mkdir(parents=True, exist_ok=True)
            walk = Walk(context.new_page(), daphne_url, language, width, shots, axe, False)
            try:
                walk.page.goto(f"{daphne_url}/accounts/login/")
                walk.page.fill("input[name=login]", world.officer.email)
                walk.page.fill("input[name=password]", PASSWORD)
                walk.click_through(walk.page.locator("main button[type=submit]"))
                walk.go(f"{base}/")
                walk.follow(f"a[href='{base}/impact/differences/']")
                assert walk.page.locator("tbody tr").count() == 2
                walk.follow(f"main a[href='{base}/impact/']")
                walk.follow(f"a[href='{base}/impact/differences/']")
            finally:
                context.close()
            problems += walk.problems
    assert problems == [], "\n".join(problems)
