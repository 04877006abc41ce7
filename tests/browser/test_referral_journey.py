"""A referral between two agencies in the demo network: the export-promotion agency's officer
refers a Huila firm to the export-credit fund's programme, the fund's officer accepts it and
then marks it done, and a person of the firm reads each step in the firm's history. Three
languages, on a phone; every page is checked as in the role journeys
(tests/browser/journeys.py). The journeys speak only through Walk's methods, so
tests/incentives/test_referrals.py walks them again without a browser, counting queries."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from incentives.models import Programme, Referral
from network.models import Organization
from tests.browser.journeys import LANGUAGES, WIDTHS, Walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.journeys,
    pytest.mark.django_db(transaction=True),
]

WALKS = [("es", "phone"), ("pt_BR", "phone"), ("en", "phone")]
FIRM = "Finca La Esmeralda Verde"
PROGRAMME = "Primeros Embarques 2026"
NOTE = "Primer pedido en firme de café orgánico para Múnich: necesita crédito de preembarque."


def _referral() -> Referral:
    """The referral this journey sent (the demo declined an earlier one of the same firm)."""
    return Referral.objects.filter(firm__name=FIRM).exclude(state="declined").get()


def referrer(walk) -> None:
    """Valeria, at the export-promotion agency, refers the firm after its first order."""
    walk.sign_in("valeria@demo.pioneros.test")
    walk.go("/agency/")
    walk.follow("#referrals-link")
    walk.see("#sent-referrals")
    if walk.first:
        firm = Organization.objects.get(name=FIRM).pk
        programme = Programme.objects.get(name=PROGRAMME).pk
        walk.go(f"/agency/referrals/new/?firm={firm}&programme={programme}")
        walk.fill("textarea[name=note]", NOTE)
        walk.submit("#referral-form button[type=submit]")
        walk.see("#referral-note")
    else:
        walk.go(_referral().get_absolute_url())
    walk.see_text(PROGRAMME)


def receiver(walk) -> None:
    """Inés, at the export-credit fund, accepts the referral and, once the credit is given,
    marks it done."""
    walk.sign_in("ines@demo.pioneros.test")
    walk.go("/agency/referrals/")
    walk.see("#received-referrals")
    walk.follow(f"#received-referrals a[href='{_referral().get_absolute_url()}']")
    if walk.first:
        walk.submit("#accept-referral")
        walk.submit("#complete-referral")
    walk.see("#referral-steps")
    assert walk.count("#referral-steps li") == 3
    walk.go("/agency/referrals/?state=done")
    walk.see(f"#received-referrals a[href='{_referral().get_absolute_url()}']")


def firm_member(walk) -> None:
    """Andrés, of the firm, reads who referred it, who accepted it and when it was done."""
    walk.sign_in("andres@demo.pioneros.test")
    walk.go("/me/organization/")
    walk.see("#history-list")
    for state in ("sent", "accepted", "done", "declined"):
        walk.see(f"#history-list p[data-referral-state={state}]")
    walk.see_text(NOTE)


JOURNEYS = (referrer, receiver, firm_member)


def test_a_referral_goes_from_one_agency_to_another_and_into_the_firms_history(
    browser, daphne_url, screenshot_dir
):
    from axe_playwright_python.sync_playwright import Axe

    call_command("seed_demo", verbosity=0)
    axe, problems, pages = Axe(), [], 0
    for number, (language, width) in enumerate(WALKS):
        for journey in JOURNEYS:
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
    assert Referral.objects.get(pk=_referral().pk).state == Referral.State.DONE
    print(f"referral journeys: {pages} pages checked")
    assert problems == [], "\n".join(problems)
