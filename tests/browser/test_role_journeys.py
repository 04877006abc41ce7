"""One journey per role on the demo network, in English, Spanish and Portuguese, on a phone
and on a desktop; every page checked by axe-core, for sideways scrolling and for English
left untranslated; each role's home walked with the keyboard alone. Screenshots go to
test-results/browser/<test>/<language>-<width>/."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.browser.journeys import JOURNEYS, LANGUAGES, WIDTHS, Walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.journeys,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_network():
    # Before the browser starts: Playwright's loop would make the seed's live events fail.
    call_command("seed_demo", verbosity=0)


@pytest.mark.parametrize("role", list(JOURNEYS))
def test_role_journey(role, demo_network, browser, daphne_url, screenshot_dir):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems, pages = Axe(), [], 0
    # The first walk acts, in Spanish on a phone: the person most of our members are.
    order = [("es", "phone")] + [
        (language, width)
        for language in LANGUAGES
        for width in WIDTHS
        if (language, width) != ("es", "phone")
    ]
    for number, (language, width) in enumerate(order):
        cache.clear()  # allauth's rate limits count sign-ins per address
        context = browser.new_context(
            viewport={"width": WIDTHS[width], "height": 900}, locale=LANGUAGES[language]
        )
        shots = screenshot_dir / f"{language}-{width}"
        shots.mkdir(parents=True, exist_ok=True)
        walk = Walk(context.new_page(), daphne_url, language, width, shots, axe, number == 0)
        try:
            JOURNEYS[role](walk)
            if (language, width) == ("en", "desktop"):
                walk.go("/")  # where every role starts: all of it reached from the keyboard
                walk.reach_by_keyboard()
        finally:
            context.close()
        problems += walk.problems
        pages += len(walk.visited)
    print(f"{role}: {pages} pages checked in {len(order)} language x width walks")
    assert problems == [], "\n".join(problems)
