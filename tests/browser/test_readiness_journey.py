"""A firm's person takes the export-readiness diagnostic on a phone (360 px) in Spanish, then
again in Portuguese and in English: one dimension per page, saved as they go, the result with
what helps each weak dimension, the share toggle and the chart over time. The cluster's
coordinator then reads the heatmap. Every page axe-clean, no sideways scrolling, no English
left over; screenshots in test-results/browser/test_readiness_journey/."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from mentoring.models import Pairing
from mentoring.services import offers
from readiness.models import Assessment
from tests.browser.journeys import LANGUAGES, WIDTHS, Walk
from tests.factories import PASSWORD, ClusterFactory, OrganizationFactory, UserFactory, add_member
from tests.readiness.conftest import shipped, take

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    shipped()
    coordinator = UserFactory(name="Carla Coordinadora", email="carla@example.org")
    cluster = ClusterFactory(coordinator=coordinator, name="Café del Huila")
    firm = OrganizationFactory(name="Finca La Esperanza")
    follower = add_member(cluster, UserFactory(name="Andrea Rojas", organization=firm))
    mentor = add_member(cluster, UserFactory(name="Camilo Mentor"), role="mentor")
    offer = offers.save_offer(
        user=mentor, cluster=cluster, capacity=2, strengths=["logistics", "finance"]
    )
    Pairing.objects.create(
        cluster=cluster, offer=offer, mentor=mentor, follower=follower, status="active"
    )
    for _ in range(5):  # enough firms for the heatmap to show its cells
        take(add_member(cluster, UserFactory(organization=OrganizationFactory())), level=1)
    return {"cluster": cluster, "follower": follower, "coordinator": coordinator}


def _sign_in(walk: Walk, email: str) -> None:
    walk.page.goto(f"{walk.base}/accounts/login/")
    walk.page.fill("input[name=login]", email)
    walk.page.fill("input[name=password]", PASSWORD)
    walk.click_through(walk.page.locator("main button[type=submit]"))


def take_it(walk: Walk, round_: int) -> None:
    page = walk.page
    walk.go("/")
    walk.follow("section[aria-labelledby=panel-readiness] a[href='/readiness/']")
    walk.click_through(page.locator("#start-diagnostic"))
    number = 0
    while page.locator("#next-page").count():
        number += 1
        expect(page.locator("progress")).to_be_visible()
        groups = page.locator("main fieldset")
        for i in range(groups.count()):
            # Logistics and finance stay weak; the rest grows with each round.
            heading = page.locator("main h1").inner_text()
            weak = number in (5, 6)
            level = 0 if weak else min(round_ + 1, 3)
            groups.nth(i).locator("input[type=radio]").nth(level).check()
        if number == 3 and round_ == 0:  # stop here, saved; come back to the next page
            walk.click_through(page.locator("button[name=later]"))
            walk.click_through(page.locator("#resume-diagnostic"))
            expect(page.locator("main h1")).not_to_have_text(heading)
            expect(page.locator("#progress-label")).to_contain_text("4")
            continue
        walk.click_through(page.locator("#next-page"))
    assert number == 9, number


def test_a_firm_takes_the_diagnostic_on_a_phone_in_three_languages(
    world, browser, daphne_url, screenshot_dir
):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []
    for round_, language in enumerate(["es", "pt_BR", "en"]):
        cache.clear()  # allauth's rate limits count sign-ins per address
        context = browser.new_context(
            viewport={"width": WIDTHS["phone"], "height": 800}, locale=LANGUAGES[language]
        )
        shots = screenshot_dir / f"{language}-phone"
        shots.mkdir(parents=True, exist_ok=True)
        walk = Walk(context.new_page(), daphne_url, language, "phone", shots, axe, round_ == 0)
        try:
            _sign_in(walk, world["follower"].email)
            take_it(walk, round_)
            page = walk.page
            expect(page.locator("#scores > li")).to_have_count(9)
            expect(page.locator("#weakest")).not_to_be_empty()
            expect(page.locator("section[aria-labelledby=help-logistics]")).to_be_visible()
            help_logistics = page.locator("section[aria-labelledby=help-logistics]")
            expect(help_logistics.locator("a[href^='/people/']")).to_have_text("Camilo Mentor")
            walk.click_through(page.locator("#share-toggle"))
            expect(page.locator(".alert-success")).to_be_visible()
            if round_ == 0:  # the logistics goal, adopted into the pairing with its steps
                walk.follow("section[aria-labelledby=help-logistics] a[href$='/adopt/']")
                walk.submit("main form button[type=submit]")
                expect(page.locator(".alert-success")).to_be_visible()
                expect(page.locator("main")).to_contain_text("Un primer envío")
            walk.go("/readiness/")
            expect(page.locator("svg.readiness-chart circle")).to_have_count(9 * (round_ + 1))
            expect(page.locator("#readiness-history thead th")).to_have_count(round_ + 2)
            context.close()

            cache.clear()
            context = browser.new_context(
                viewport={"width": WIDTHS["phone"], "height": 800}, locale=LANGUAGES[language]
            )
            walk.page = context.new_page()
            _sign_in(walk, world["coordinator"].email)
            walk.go(f"/clusters/{world['cluster'].slug}/")
            walk.follow("a[href$='/readiness/'][href*='/clusters/']")
            expect(walk.page.locator("#heatmap tbody tr")).to_have_count(9)
        finally:
            context.close()
        problems += walk.problems
    submitted = Assessment.objects.filter(organization=world["follower"].profile.organization)
    assert submitted.filter(status="submitted").count() == 3
    assert problems == [], "\n".join(problems)
