"""The agency officer's side of the export-readiness diagnostic, on a phone (360 px) in the demo
network, in Spanish, then in Portuguese and in English: from the programme's page to the change
in its firms' readiness (first and latest time, groups under 5 firms not shown, the clusters
left out named), then the programme's own copy of the shipped questionnaire, one question's
text edited in the form and saved. In Spanish the copy is published; in Portuguese a new
version of it is started and edited; in English that draft is edited again. Every page
axe-clean, no sideways scrolling, no English left over; screenshots in
test-results/browser/test_readiness_officer_journey/."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from incentives.models import Programme
from readiness.models import Questionnaire
from tests.browser.journeys import Walk, phone_walk
from tests.factories import ClusterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "Mentores del Café 2026"  # Valeria's, sponsoring the Huila coffee cluster
NEW_CLUSTER = "Cacao Fino de Tumaco"
FIELDS = {"es": "text_es", "pt_BR": "text_pt_br", "en": "text_en"}
WORDING = {
    "es": "¿Su empresa tiene un plan de exportación escrito para el café?",
    "pt_BR": "A sua empresa tem um plano de exportação escrito para o café?",
    "en": "Does your firm have a written export plan for its coffee?",
}


@pytest.fixture
def world():
    call_command("seed_demo", verbosity=0)
    programme = Programme.objects.get(name=PROGRAMME)
    # A cluster newly sponsored, where no firm has taken the diagnostic twice yet.
    programme.clusters.add(ClusterFactory(name=NEW_CLUSTER))
    return {"programme": programme}


def read_the_change(walk: Walk, programme: Programme) -> None:
    page = walk.page
    walk.go(f"/agency/programmes/{programme.pk}/")
    walk.follow(f"a[href='/agency/programmes/{programme.pk}/readiness/']")
    rows = page.locator("#readiness-change tbody tr")
    expect(rows).to_have_count(9)  # one per dimension
    # Huila's six firms that took it twice are counted in every dimension; the new cluster,
    # with fewer than 5 of its own, is left out and named.
    expect(rows.locator("td:nth-child(2)")).to_have_text(["6"] * 9)
    expect(page.locator("#readiness-left-out")).to_contain_text(NEW_CLUSTER)
    expect(page.locator("#readiness-left-out")).not_to_contain_text("Huila")


def edit_a_question(walk: Walk, round_: int, language: str) -> None:
    page = walk.page
    if round_ == 0:  # no copy yet: the shipped questionnaire, copied for the programme
        walk.submit("form[action$='/readiness/copy/'] button[type=submit]")
        expect(page.locator(".alert-success")).to_be_visible()
    else:  # the newest version, listed first
        walk.follow("main a[href^='/readiness/questionnaires/']")
    if round_ == 1:  # the Spanish round published it: a published version never changes
        expect(page.locator("form[action$='/publish/']")).to_have_count(0)
        walk.submit("form[action$='/new-version/'] button[type=submit]")
    expect(page.locator("form[action$='/publish/']")).to_have_count(1)
    walk.follow("main a[href^='/readiness/questions/']")
    walk.fill(f"#id_{FIELDS[language]}", WORDING[language])
    walk.submit("main form button[type=submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("main ol.small > li").first).to_contain_text(WORDING[language])
    if round_ == 0:
        walk.submit("form[action$='/publish/'] button[type=submit]")
        expect(page.locator(".alert-success")).to_be_visible()
        expect(page.locator("form[action$='/new-version/']")).to_have_count(1)
        expect(page.locator("main a[href^='/readiness/questions/']")).to_have_count(0)


def test_an_officer_reads_the_change_and_adapts_the_questionnaire_on_a_phone(
    world, browser, daphne_url, screenshot_dir
):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []
    programme = world["programme"]
    for round_, language in enumerate(["es", "pt_BR", "en"]):
        with phone_walk(browser, daphne_url, language, screenshot_dir, axe, round_ == 0) as walk:
            walk.sign_in("valeria@demo.pioneros.test")
            read_the_change(walk, programme)
            edit_a_question(walk, round_, language)
        problems += walk.problems
    versions = Questionnaire.objects.filter(programme=programme).order_by("version")
    assert [(q.version, q.is_published) for q in versions] == [(1, True), (2, False)]
    assert problems == [], "\n".join(problems)
