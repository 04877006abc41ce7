"""A firm's records page, its place on the organization page and the agency's confirmations, in
Spanish and Portuguese on a phone and a desktop: axe-clean, no sideways scroll, translated."""

import pytest
from django.core.cache import cache

from evidence import links
from mentoring.models import ExportRecord
from network import services
from tests.browser.journeys import LANGUAGES, WIDTHS, Walk
from tests.evidence.data import customs, registry
from tests.factories import PASSWORD, AgencyFactory, OfficerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def confirmed_firm():
    agency = AgencyFactory(name="PromPerú")
    officer = OfficerFactory(organization=agency, name="Olga Funcionaria")
    first, second = registry(agency, officer, 2)
    customs(
        agency,
        officer,
        [
            (first, 2023, "090111", "DE", "8000"),
            (first, 2023, "080390", "US", "1250.5"),
            (first, 2022, "090111", "US", "12000"),
        ],
    )
    person = UserFactory(name="Rosa Exportadora")
    services.save_organization(
        profile=person.profile,
        name="Café Andino de los Valles Altos SAC",
        kind="firm",
        country="PE",
        tax_id_scheme="RUC",
        tax_id=first,
    )
    person.profile.refresh_from_db()
    organization = person.profile.organization
    ExportRecord.objects.create(
        organization=organization, year=2023, hs_code="0901", country="JP", value_band="lt10k"
    )
    links.confirm_link(officer=officer, organization=organization)
    waiting = UserFactory(name="Otra Firma")
    services.save_organization(
        profile=waiting.profile,
        name="Textiles Inca",
        kind="firm",
        country="PE",
        tax_id_scheme="RUC",
        tax_id=second,
    )
    return person, officer, organization


def _sign_in(walk: Walk, email: str) -> None:
    page = walk.page
    page.goto(f"{walk.base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_records_pages_read_well_on_a_phone_and_a_desktop(
    confirmed_firm, browser, daphne_url, screenshot_dir
):
    from axe_playwright_python.sync_playwright import Axe

    person, officer, organization = confirmed_firm
    axe, problems = Axe(), []
    for language in ("es", "pt_BR"):
        for width in WIDTHS:
            cache.clear()
            context = browser.new_context(
                viewport={"width": WIDTHS[width], "height": 900}, locale=LANGUAGES[language]
            )
            shots = screenshot_dir / f"{language}-{width}"
            shots.mkdir(parents=True, exist_ok=True)
            walk = Walk(context.new_page(), daphne_url, language, width, shots, axe, False)
            try:
                _sign_in(walk, person.email)
                walk.go("/me/organization/")
                walk.follow(f"main a[href='/organizations/{organization.pk}/customs-records/']")
                walk.follow("main a[href='?year=2022']")
                context.clear_cookies()
                _sign_in(walk, officer.email)
                walk.go("/agency/evidence/")
                walk.follow(f"main a[href='/organizations/{organization.pk}/customs-records/']")
            finally:
                context.close()
            problems += walk.problems
    assert problems == [], "\n".join(problems)
