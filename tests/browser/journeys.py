"""Each role's journey through the demo network, and the checks every page it visits gets:
axe-core (no serious or critical violation), no horizontal scrolling, no English left on a
Spanish or Portuguese page, a screenshot.

The journeys also run without a browser (tests/test_page_queries.py counts each page's
queries): a journey speaks only through Walk's methods, never to `walk.page` itself."""

import contextlib
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from playwright.sync_api import Locator, Page, expect

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = {"en": "en-US", "es": "es-419", "pt_BR": "pt-BR"}
WIDTHS = {"phone": 360, "desktop": 1280}
DEMO_PASSWORD = "pioneros-demo"
# axe-core's rule sets for WCAG 2.1 A and AA and 2.2 AA (touch target size), and best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# English that must not show on a page in Spanish or Portuguese although no catalogue has
# it: dates and times Django would have written in English.
ENGLISH_ONLY = [
    "January", "February", "March", "April", "June", "July", "August", "September",
    "October", "November", "December",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
]  # fmt: skip


def _english_messages(language: str) -> list[str]:
    """Messages of our catalogue, in English, that read differently once translated: seeing
    one on a page in `language` means a string escaped translation. Only messages of three
    words or more: shorter ones (names, codes) may be the same words in user content."""
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    found = set()
    for msgid, msgstr in catalogue.items():
        if isinstance(msgid, tuple):
            msgid = msgid[0]
        msgid = msgid.split("\x04")[-1]
        if not msgid or "%" in msgid or "{" in msgid or msgid == msgstr:
            continue
        if len(msgid.split()) >= 3 and "\n" not in msgid:
            found.add(msgid)
    return sorted(found, key=len, reverse=True)


_ENGLISH = {language: _english_messages(language) for language in ("es", "pt_BR")}


@dataclass
class Walk:
    """One role's journey in one language at one width, and what its pages showed."""

    page: Page
    base: str
    language: str
    width: str
    shots: Path
    axe: object
    first: bool  # the first walk acts (sends, approves); the others read what it did
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")
        self.check()

    def see(self, selector: str) -> None:
        """The first element matching `selector` is on the page, visible."""
        expect(self.page.locator(selector).first).to_be_visible()

    def see_text(self, text: str) -> None:
        expect(self.page.get_by_text(text).first).to_be_visible()

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def fill(self, selector: str, text: str) -> None:
        self.page.locator(selector).first.fill(text)

    def submit(self, selector: str, *, last: bool = False) -> None:
        """Click the first (or last) button matching `selector` and check the page it loads."""
        buttons = self.page.locator(selector)
        self.click_through(buttons.last if last else buttons.first)

    def press(self, selector: str) -> None:
        """Click a button that may or may not load a page (a form a script may send)."""
        self.page.locator(selector).first.click()

    def follow(self, selector: str) -> None:
        """Follow the first link matching `selector`, as a person would click it."""
        link = self.page.locator(selector).first
        expect(link).to_be_visible()
        self.click_through(link)

    def click_through(self, target: Locator) -> None:
        """Click something that loads a page, and check that page once it has loaded.

        Waiting for the load state right after a click can return for the page being left,
        and the checks would then judge that page, or the next one half loaded.
        """
        with self.page.expect_navigation():
            target.click()
        self.check()

    def check(self) -> None:
        page, path = self.page, self.page.url.removeprefix(self.base)
        self.visited.append(path)
        where = f"{self.language}/{self.width} {path}"
        html_lang = page.evaluate("document.documentElement.lang")
        if html_lang.replace("-", "_").lower() != self.language.lower():
            self.problems.append(f"{where}: the page says lang={html_lang!r}")
        results = self.axe.run(
            page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}
        ).response
        for violation in results["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                self.problems.append(f"{where}: axe {violation['id']} on {targets}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            self.problems.append(f"{where}: scrolls sideways by {overflow} px")
        if self.language != "en":
            text = page.inner_text("body")
            for phrase in _ENGLISH[self.language]:
                # "#rules of origin" is a tag members wrote, not our text.
                if re.search(rf"(?<!#){re.escape(phrase)}", text):
                    self.problems.append(f"{where}: untranslated {phrase!r}")
            for word in ENGLISH_ONLY:
                if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
                    self.problems.append(f"{where}: English {word!r}")
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=self.shots / f"{len(self.visited):02d}-{slug}.png", full_page=True)

    def reach_by_keyboard(self) -> None:
        """Tab from the top of the page until focus comes round: every visible link, button
        and field must be reached (a radio group counts once: arrows move inside it)."""
        page = self.page
        wanted = page.evaluate(
            """() => {
                const seen = new Set();
                const all = [...document.querySelectorAll(
                    'a[href], button, input:not([type=hidden]), select, textarea, summary')];
                all.filter(e => !e.disabled && e.getClientRects().length).forEach((e, i) => {
                    const key = e.type === 'radio' ? 'radio:' + e.name : 'el:' + i;
                    e.dataset.keyboard = key;
                    seen.add(key);
                });
                return seen.size;
            }"""
        )
        reached: set[str] = set()
        for _ in range(wanted * 2 + 5):
            page.keyboard.press("Tab")
            key = page.evaluate("document.activeElement?.dataset?.keyboard || ''")
            if key:
                reached.add(key)
            if len(reached) == wanted:
                break
        if len(reached) < wanted:
            missed = page.evaluate(
                """reached => [...document.querySelectorAll('[data-keyboard]')]
                    .filter(e => !reached.includes(e.dataset.keyboard))
                    .slice(0, 5).map(e => e.outerHTML.slice(0, 120))""",
                sorted(reached),
            )
            path = page.url.removeprefix(self.base)
            self.problems.append(
                f"{self.language}/{self.width} {path}: keyboard reaches {len(reached)} of "
                f"{wanted}: {missed}"
            )

    def sign_in(self, email: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.check()
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.click_through(self.page.locator("main button[type=submit]"))


@contextlib.contextmanager
def phone_walk(browser, base: str, language: str, screenshot_dir: Path, axe, first: bool):
    """A fresh browser the width of a phone, in `language`, for one walk; closed after it."""
    cache.clear()  # allauth's rate limits count sign-ins per address
    context = browser.new_context(
        viewport={"width": WIDTHS["phone"], "height": 800}, locale=LANGUAGES[language]
    )
    shots = screenshot_dir / f"{language}-phone"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        yield Walk(context.new_page(), base, language, "phone", shots, axe, first)
    finally:
        context.close()


def visitor(walk: Walk) -> None:
    """What Pioneros is, public clusters to browse, and the way to sign up."""
    walk.go("/")
    walk.see("main a[href='/accounts/signup/']")
    walk.follow("main a[href^='/clusters/'][href$='/']:not([href='/clusters/'])")
    walk.go("/clusters/")
    walk.go("/guides/")
    walk.go("/")
    walk.follow("main a[href^='/accounts/signup/']")
    walk.see("input[name=email]")


def follower(walk: Walk) -> None:
    """Andrés, a coffee grower: suggested mentors with reasons, asks one, sees his goals."""
    walk.sign_in("andres@demo.pioneros.test")
    walk.see("#panel-follower")
    if walk.first:
        walk.follow("section[aria-labelledby=panel-follower] a[href*='/request/']")
        walk.fill("textarea", "Queremos vender café verde en Hamburgo.")
        walk.submit("main form button[type=submit]", last=True)
        walk.see(".alert-success")
    walk.go("/mentoring/")
    walk.follow("main a[href^='/mentoring/pairings/']")
    walk.go("/guides/")
    walk.go("/search/?q=caf%C3%A9")
    walk.go("/notifications/")


def mentor(walk: Walk) -> None:
    """Camila, who exports coffee: questions in her topics, her sessions and credits."""
    walk.sign_in("camila@demo.pioneros.test")
    walk.see("#panel-mentor")
    walk.go("/mentoring/")
    walk.follow("main a[href*='/mentoring/offer/']")
    walk.go("/me/credits/")
    walk.go("/clusters/cafe-de-especialidad-del-huila/forum/")
    walk.follow("main a[href^='/topics/']")
    if walk.first:
        walk.fill("#reply-form textarea", "En mi experiencia, pidan el EUR.1 antes.")
        # Sent over the open socket, or posted as a form when it is not: either way it shows.
        walk.press("#reply-form button[type=submit]")
        walk.see_text("pidan el EUR.1 antes")
        walk.check()


def coordinator(walk: Walk) -> None:
    """Lucía, who runs the coffee cluster: join requests, unmatched followers, sessions."""
    walk.sign_in("lucia@demo.pioneros.test")
    walk.see("#panel-coordinator")
    walk.follow("section[aria-labelledby=panel-coordinator] a[href*='/mentoring/cohort/']")
    walk.go("/clusters/cafe-de-especialidad-del-huila/manage/")
    if walk.first:
        walk.submit("form[action$='/approve/'] button")
        walk.see(".alert-success")
    walk.go("/clusters/cafe-de-especialidad-del-huila/sessions/")
    walk.go("/clusters/cafe-de-especialidad-del-huila/contributions/")
    walk.go("/clusters/cafe-de-especialidad-del-huila/moderation/")
    # Lucía mentored Camila, who now mentors too: the chain is two generations past her.
    walk.go("/clusters/cafe-de-especialidad-del-huila/")
    walk.follow("main a[href$='/knowledge-chain/']")
    assert walk.count("#chain-table tbody tr") == 3
    walk.go("/guides/desk/")


def officer(walk: Walk) -> None:
    """Valeria, at an agency closing the month: budget used, credits to approve, charts."""
    walk.sign_in("valeria@demo.pioneros.test")
    walk.see("#panel-officer")
    walk.follow("section[aria-labelledby=panel-officer] a[href^='/agency/programmes/']")
    if walk.first and walk.count("form[action$='/approve/']"):
        walk.submit("form[action$='/approve/'] button")
        walk.see(".alert-success")
    walk.go("/agency/")
    walk.follow("main li a[href^='/agency/programmes/']")
    walk.follow("main a[href$='/knowledge-chain/']")
    walk.see("#chain-table")
    walk.go("/agency/")
    walk.follow("a[href='/agency/sponsorship/']")
    walk.go("/agency/sponsorship/?q=caf%C3%A9")


JOURNEYS = {
    "visitor": visitor,
    "follower": follower,
    "mentor": mentor,
    "coordinator": coordinator,
    "officer": officer,
}
