"""The mentor invitation, the cluster's knowledge chain (coordinator) and the programme's
(officer), on a phone in every language and on a desktop in English: axe-clean, no sideways
scrolling, no English left over."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from mentoring.models import ExportRecord
from mentoring.services import invitations
from tests.browser.journeys import LANGUAGES, WIDTHS, Walk
from tests.factories import PASSWORD
from tests.mentoring.test_chain import Y, arrange_chain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    # Before the browser starts: Playwright's loop would make the arrangement's live events fail.
    world = arrange_chain()
    firm = world.nico.profile.organization
    for year in (Y - 2, Y - 1):
        ExportRecord.objects.create(
            organization=firm, year=year, hs_code="0901", country="JP", value_band="lt10k"
        )
    invitations.invite_from_records(organization=firm)
    return world


def _sign_in(walk: Walk, email: str) -> None:
    walk.page.goto(f"{walk.base}/accounts/login/")
    walk.page.fill("input[name=login]", email)
    walk.page.fill("input[name=password]", PASSWORD)
    walk.click_through(walk.page.locator("main button[type=submit]"))


def test_invitation_and_chains_read_on_a_phone_in_every_language(
    world, browser, daphne_url, screenshot_dir
):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []
    cluster_url = f"/clusters/{world.cluster.slug}/"
    programme_url = f"/agency/programmes/{world.programme.pk}/"
    walks = [(language, "phone") for language in LANGUAGES] + [("en", "desktop")]
    for n, (language, width) in enumerate(walks):
        last = n == len(walks) - 1
        for who in ("follower", "coordinator", "officer"):
            cache.clear()  # allauth's rate limits count sign-ins per address
            context = browser.new_context(
                viewport={"width": WIDTHS[width], "height": 900}, locale=LANGUAGES[language]
            )
            shots = screenshot_dir / f"{language}-{width}-{who}"
            shots.mkdir(parents=True, exist_ok=True)
            walk = Walk(context.new_page(), daphne_url, language, width, shots, axe, False)
            try:
                if who == "follower":
                    _sign_in(walk, world.nico.email)
                    walk.go("/mentoring/")
                    expect(walk.page.locator("#mentor-invitation")).to_be_visible()
                    walk.follow("#mentor-invitation a[href*='/mentoring/offer/']")
                    expect(walk.page.locator("input[name=products]")).to_have_value("0901")
                    if last:
                        walk.go("/mentoring/")
                        walk.click_through(walk.page.locator("#mentor-invitation button"))
                        expect(walk.page.locator(".alert-success")).to_be_visible()
                        expect(walk.page.locator("#mentor-invitation")).to_have_count(0)
                elif who == "coordinator":
                    _sign_in(walk, world.coordinator.email)
                    walk.go(cluster_url)
                    walk.follow("a[href$='/knowledge-chain/']")
                    expect(walk.page.locator("figure svg")).to_be_visible()
                    expect(walk.page.locator("#chain-table tbody tr")).to_have_count(3)
                else:
                    _sign_in(walk, world.officer.email)
                    walk.go(programme_url)
                    walk.follow("a[href$='/knowledge-chain/']")
                    expect(walk.page.locator("figure svg")).to_be_visible()
            finally:
                context.close()
            problems += walk.problems
    assert problems == [], "\n".join(problems)
