"""Layout a member relies on, measured in Chromium: the header holds on one line from 1024 px
up in every language and for every role; badges, selects and labels keep their size."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from core.consumers import CROWDED
from network.models import User
from tests.browser.journeys import DEMO_PASSWORD, LANGUAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One person per role in the demo network; Lucía's name is made long to be cut.
ROLES = {
    "coordinator": "lucia@demo.pioneros.test",
    "mentor": "camila@demo.pioneros.test",
    "follower": "andres@demo.pioneros.test",
    "officer": "valeria@demo.pioneros.test",
    "visitor": None,
}
LONG_NAME = "Lucía Fernanda de los Ángeles Restrepo Villavicencio"

# Lines of text in each item of the header, how far the items' middles lie apart, and how far
# the last one reaches past the window's edge.
HEADER_LINES = """() => {
    const items = [...document.querySelectorAll('nav.navbar .navbar-brand, nav.navbar .nav-link,'
        + ' nav.navbar .language-form select, nav.navbar .language-form button, nav.navbar .btn')]
        .filter(e => e.getClientRects().length);
    const lines = items.map(e => {
        const style = getComputedStyle(e);
        const inner = e.getBoundingClientRect().height - parseFloat(style.paddingTop)
            - parseFloat(style.paddingBottom) - parseFloat(style.borderTopWidth)
            - parseFloat(style.borderBottomWidth);
        const lines = Math.round(inner / parseFloat(style.lineHeight));
        return [e.textContent.trim().slice(0, 30), lines];
    });
    const middles = items.map(e => {
        const r = e.getBoundingClientRect();
        return r.top + r.height / 2;
    });
    const edge = Math.max(...items.map(e => e.getBoundingClientRect().right));
    return {lines, spread: Math.max(...middles) - Math.min(...middles),
            past: Math.ceil(edge - document.documentElement.clientWidth)};
}"""


@pytest.fixture
def demo_network():
    call_command("seed_demo", verbosity=0)
    profile = User.objects.get(email=ROLES["coordinator"]).profile
    profile.display_name = LONG_NAME
    profile.save(update_fields=["display_name"])


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("#panel-mentor, #panel-follower, #panel-coordinator, #panel-officer")
    # Sizes mean something once the stylesheets and icons are in, not when the markup is.
    page.wait_for_load_state("load")


# What the page script's show() does with the live state's label (static/pioneros/app.js).
SHOW_LIVE_STATE = """label => {
    const state = document.getElementById('live-state');
    if (!state) return;
    state.hidden = !label;
    state.title = label;
    state.querySelector('.live-state-label').textContent = label;
}"""


def _live_states(page, language: str) -> list[str]:
    """None, then each thing the header can say about live updates, in the page's language."""
    with translation.override(LANGUAGES[language]):
        crowded = str(CROWDED)
    body = page.locator("body")
    return [
        "",
        body.get_attribute("data-live-reconnecting"),
        body.get_attribute("data-live-unavailable"),
        crowded,
    ]


# Resolves once the browser has laid out and painted the page at its current size.
PAINTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


# Every role's header in three languages at two widths: run once, with the role journeys.
@pytest.mark.journeys
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_header_holds_on_one_line_from_1024_px(
    language, demo_network, browser, daphne_url, screenshot_dir
):
    problems = []
    for role, email in ROLES.items():
        cache.clear()  # allauth's rate limits count sign-ins per address
        context = browser.new_context(
            viewport={"width": 1280, "height": 800}, locale=LANGUAGES[language]
        )
        page = context.new_page()
        try:
            if email:
                _sign_in(page, daphne_url, email)
            else:
                page.goto(f"{daphne_url}/")
            # A member's header also says when live updates are in trouble: it must still fit.
            states = _live_states(page, language) if email else [""]
            for width in (1024, 1280):
                page.set_viewport_size({"width": width, "height": 800})
                for number, state in enumerate(states):
                    page.evaluate(SHOW_LIVE_STATE, state)
                    page.evaluate(PAINTED)
                    measured = page.evaluate(HEADER_LINES)
                    wrapped = [text for text, lines in measured["lines"] if lines != 1]
                    if wrapped or measured["spread"] > 2 or measured["past"] > 0:
                        problems.append(f"{language} {role} {width}px {state!r}: {measured}")
                    page.screenshot(path=screenshot_dir / f"{role}-{width}-{number}.png")
            if role == "coordinator":
                name = page.locator("nav.navbar #member-menu")
                if name.get_attribute("title") != LONG_NAME:
                    problems.append(f"{language}: the cut name has no title with the whole name")
                page.set_viewport_size({"width": 360, "height": 800})
                page.click("nav.navbar .navbar-toggler")
                page.wait_for_selector("#main-nav.show")
                page.screenshot(path=screenshot_dir / f"{role}-360.png")
        finally:
            context.close()
    assert problems == [], "\n".join(problems)


FITS = """select => {
    const style = getComputedStyle(select);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const text = select.options[select.selectedIndex].text;
    const room = select.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight);
    return [text, Math.ceil(context.measureText(text).width - room)];
}"""


def test_the_cohort_page_shows_each_mentor_choice_whole(
    demo_network, page, daphne_url, screenshot_dir
):
    _sign_in(page, daphne_url, "lucia@demo.pioneros.test")
    cohort = page.locator(
        "section[aria-labelledby=panel-coordinator] a[href*='/mentoring/cohort/']"
    )
    cohort.first.click()
    page.wait_for_selector("#cohort-total")
    cut = []
    for width in (1280, 1024, 360):
        page.set_viewport_size({"width": width, "height": 800})
        for select in page.locator("main select").all():
            text, past = select.evaluate(FITS)
            if past > 0:
                cut.append(f"{width}px: {text!r} cut by {past} px")
        page.screenshot(path=screenshot_dir / f"cohort-{width}.png", full_page=True)
    assert cut == []


def test_the_live_badge_is_no_bigger_than_the_other_badges_of_a_title(
    demo_network, page, daphne_url
):
    from forums.models import Topic

    topic = Topic.objects.filter(
        kind="question", room__cluster__slug="cafe-de-especialidad-del-huila"
    ).first()
    _sign_in(page, daphne_url, "lucia@demo.pioneros.test")
    page.goto(f"{daphne_url}/topics/{topic.pk}/")
    live = page.locator("#forum-live-state")
    live.wait_for(state="visible")
    sizes = page.evaluate(
        """() => ['#forum-live-state', 'h1 .topic-state'].map(s => {
            const e = document.querySelector(s);
            return [parseFloat(getComputedStyle(e).fontSize), e.getBoundingClientRect().height];
        })"""
    )
    (live_font, live_height), (other_font, other_height) = sizes
    assert live_font <= other_font and live_height <= other_height + 1
