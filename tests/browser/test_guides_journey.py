"""The knowledge library on the demo network, as its people use it.

In the Huila coffee cluster Camila (mentor) writes a guide and sends it for review; Lucía (its
coordinator) comments and publishes it for the whole network; Andrés (follower, on his phone)
finds it by market and product in the search, marks it useful and suggests a correction; Camila
sees it, edits, and Lucía publishes a second version saying why; Andrés compares the versions.
Apart from that, Martín (coordinator in Montevideo) turns an accepted answer in his cluster's
forum into a draft guide.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "pioneros-demo"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 360, "height": 800}
TITLE = "Muestras de café tostado a Canadá por courier"
SUMMARY = (
    "Para tostadores que mandan sus primeras muestras a compradores en Toronto o Montreal: "
    "qué declarar, cuánto pesa el límite y cuánto tarda."
)
# Markdown with a table, a link, characters that need escaping, and a script that must not run.
BODY = (
    "## Antes de enviar\n\n"
    "1. Empaca **250 g** por muestra en bolsa con válvula.\n"
    "2. Declara *muestra sin valor comercial* & adjunta la ficha (peso < 2 kg).\n\n"
    "## Tiempos que vimos\n\n"
    "| Courier | Días |\n|---|---|\n| Exprés | 4 |\n| Económico | 9 |\n\n"
    "Más detalles en la [guía de la CFIA](https://inspection.canada.ca/).\n"
    "<script>alert('no')</script>\n"
)
CORRECTION = "El límite sin permiso de la CFIA es de 5 kg, no de 2 kg."
REASON = "Límite de 5 kg corregido, nota de Andrés"


def _sign_in(browser, url, key, *, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("dialog", lambda dialog: page.console_errors.append(f"dialog: {dialog.message}"))
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=login]", f"{key}@demo.pioneros.test")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('My network')")
    return context, page


def _fits_the_screen(page) -> None:
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"{page.url} scrolls sideways: {scroll} px in {client} px"


def _phone_shot(page, path) -> None:
    """The same page at 360 px, photographed and checked, then back to the desktop."""
    page.set_viewport_size(PHONE)
    page.screenshot(path=path, full_page=True)
    _fits_the_screen(page)
    page.set_viewport_size(DESKTOP)


def _alert(page):
    return page.locator("main .messages .alert")


def _status(page):
    return page.locator("aside.guide-manage #manage-heading .badge")


def _feedback(page):
    return page.locator("section[aria-labelledby=feedback-heading]")


@pytest.fixture
def demo_network():
    # Before the browser starts: Playwright's loop would make the seed's live events fail.
    call_command("seed_demo", verbosity=0)


def test_a_guide_is_written_reviewed_found_improved_and_compared(
    demo_network, browser, daphne_url, mailoutbox, screenshot_dir
):
    shots = screenshot_dir

    # --- Camila, mentor in the Huila coffee cluster, starts a guide ---------------------------
    camila_context, camila = _sign_in(browser, daphne_url, "camila")
    camila.get_by_role("navigation", name="Main").get_by_role("link", name="Guides").click()
    expect(camila.locator("h1")).to_have_text("Export guides")
    expect(camila.locator("main .guide-card")).to_contain_text(
        ["Café verde a Alemania: origen y certificados"]
    )
    camila.screenshot(path=shots / "00-library.png", full_page=True)
    _phone_shot(camila, shots / "00b-library-phone.png")
    camila.get_by_role("link", name="Write a guide").click()
    expect(camila.locator("h1")).to_have_text("Write a guide")
    _phone_shot(camila, shots / "01a-write-a-guide-phone.png")
    form = camila.locator("main form")
    expect(form.get_by_label("Cluster")).to_contain_text("Café de Especialidad del Huila")
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Summary").fill(SUMMARY)
    form.get_by_label(re.compile(r"^Guide\b")).fill(BODY)
    form.get_by_label("Language").select_option(label="Spanish")
    form.get_by_label("Products (HS codes)").fill("0901")
    form.get_by_label("Markets").select_option(["CA", "USMCA"])
    form.get_by_label("Logistics").check()
    form.get_by_label("Customs").check()
    camila.screenshot(path=shots / "01-write-a-guide.png", full_page=True)
    form.get_by_role("button", name="Save draft").click()

    expect(_alert(camila)).to_have_text("Draft saved. Send it for review when it is ready.")
    expect(camila.locator("h1")).to_have_text(TITLE)
    expect(camila.locator("main")).to_contain_text(
        "Working copy (Draft): only its authors and the cluster's coordinators see it."
    )
    expect(_status(camila)).to_have_text("Draft")
    facets = camila.locator(".guide-facets")
    expect(facets).to_contain_text("Spanish")
    expect(facets).to_contain_text("United States, Mexico and Canada (USMCA), Canada")
    expect(facets).to_contain_text("Logistics, Customs")
    expect(facets).to_contain_text("0901 · Coffee")
    # The Markdown is rendered, escaped where it must be, and its script removed.
    body = camila.locator(".guide-body")
    expect(body.locator("h3").first).to_have_text("Antes de enviar")
    expect(body.locator("strong")).to_have_text("250 g")
    expect(body.locator("em")).to_have_text("muestra sin valor comercial")
    expect(body).to_contain_text("& adjunta la ficha (peso < 2 kg).")
    expect(body.locator("table tbody tr")).to_have_count(2)
    expect(body.get_by_role("link", name="guía de la CFIA")).to_have_attribute(
        "href", "https://inspection.canada.ca/"
    )
    expect(body).not_to_contain_text("**")
    expect(body).not_to_contain_text("alert(")
    expect(body.locator("script")).to_have_count(0)

    manage = camila.locator("aside.guide-manage")
    manage.get_by_label("Note for the reviewer (optional)").fill(
        "Lucía, ¿puedes revisar los tiempos del courier?"
    )
    manage.get_by_role("button", name="Send for review").click()
    expect(_alert(camila)).to_have_text("Sent to the coordinators for review.")
    expect(_status(camila)).to_have_text("In review")
    # In review nobody edits: a coordinator publishes it or returns it first.
    expect(manage.get_by_role("link", name="Edit")).to_have_count(0)
    camila.screenshot(path=shots / "02-sent-for-review.png", full_page=True)

    # --- Lucía, the cluster's coordinator, finds it in her review queue -----------------------
    lucia_context, lucia = _sign_in(browser, daphne_url, "lucia")
    lucia.goto(f"{daphne_url}/guides/desk/")
    queue = lucia.locator("section[aria-labelledby=review-heading]")
    expect(queue.locator("h2")).to_have_text("Waiting for a coordinator")
    row = queue.locator("li", has_text=TITLE)
    expect(row).to_contain_text("Café de Especialidad del Huila · First version")
    expect(row.locator(".badge")).to_have_text("In review")
    lucia.screenshot(path=shots / "03-review-queue.png", full_page=True)
    row.get_by_role("link", name=TITLE).click()

    manage = lucia.locator("aside.guide-manage")
    trail = manage.locator("ol")
    expect(trail).to_contain_text("Camila Ortiz sent it for review")
    expect(trail).to_contain_text("Lucía, ¿puedes revisar los tiempos del courier?")
    manage.get_by_label("Comment").fill("Los tiempos coinciden con los nuestros. Lo publico.")
    manage.get_by_role("button", name="Comment", exact=True).click()
    expect(_alert(lucia)).to_have_text("Comment added.")
    expect(trail).to_contain_text("Los tiempos coinciden con los nuestros.")
    publish = manage.locator("form", has=lucia.get_by_role("button", name="Publish this version"))
    expect(publish.get_by_label("Members of its cluster")).to_be_checked()
    publish.get_by_label("The whole network").check()
    lucia.screenshot(path=shots / "04-review-and-publish.png", full_page=True)
    publish.get_by_role("button", name="Publish this version").click()
    expect(_alert(lucia)).to_have_text("Published as version 1.")
    expect(lucia.locator("h1")).to_have_text(TITLE)
    expect(lucia.locator("main")).to_contain_text("For the whole network")
    expect(lucia.locator("main")).to_contain_text("Version 1, published")
    expect(_status(lucia)).to_have_text("Published")
    guide_url = lucia.url
    lucia.goto(f"{daphne_url}/guides/desk/")
    expect(lucia.locator("section[aria-labelledby=review-heading]")).not_to_contain_text(TITLE)

    # --- Andrés, a follower, on his phone: search by market and product ------------------------
    andres_context, andres = _sign_in(browser, daphne_url, "andres", viewport=PHONE)
    andres.goto(f"{daphne_url}/search/")
    filters = andres.get_by_role("search").get_by_role("group", name="Guides")
    filters.get_by_label("Market").select_option(label="Japan")
    filters.get_by_label("Product (HS code)").fill("0901")
    filters.get_by_role("button", name="Filter").click()
    expect(andres.locator("main .empty-state").first).to_have_text(
        "No guide matches these filters. Try fewer, or ask in your cluster's forum."
    )
    andres.screenshot(path=shots / "05a-search-no-match-phone.png", full_page=True)
    filters = andres.get_by_role("search").get_by_role("group", name="Guides")
    expect(filters.get_by_label("Product (HS code)")).to_have_value("0901")
    filters.get_by_label("Market").select_option(label="Canada")
    filters.get_by_label("Product (HS code)").fill("0901")
    filters.get_by_role("button", name="Filter").click()
    results = andres.locator("section[aria-labelledby=guide-results]")
    card = results.locator(".guide-card", has_text=TITLE)
    expect(card).to_contain_text("Spanish · United States, Mexico and Canada (USMCA) · Canada")
    expect(card).to_contain_text("HS 0901")
    # The demo's coffee guide is for Germany, the mango one for fruit: neither matches.
    expect(results.locator(".guide-card")).to_have_count(1)
    andres.screenshot(path=shots / "05-search-phone.png", full_page=True)
    _fits_the_screen(andres)

    # He opens it in a second tab as well, which lets him press "Useful" twice.
    second_tab = andres_context.new_page()
    second_tab.goto(guide_url)
    card.get_by_role("link", name=TITLE).click()
    expect(andres.locator("h1")).to_have_text(TITLE)
    expect(andres.locator(".guide-body strong")).to_have_text("250 g")
    expect(_feedback(andres)).to_contain_text("Nobody has marked it useful yet.")
    andres.screenshot(path=shots / "06-guide-phone.png", full_page=True)
    _fits_the_screen(andres)

    _feedback(andres).get_by_role("button", name="Useful").click()
    expect(_alert(andres)).to_have_text("Thank you: the authors will know it helped.")
    expect(_feedback(andres)).to_contain_text("1 reader found it useful")
    expect(_feedback(andres).get_by_text("You found it useful")).to_be_visible()
    expect(_feedback(andres).get_by_role("button", name="Useful")).to_have_count(0)
    _feedback(second_tab).get_by_role("button", name="Useful").click()
    expect(_alert(second_tab)).to_have_text("You had already marked this guide as useful.")
    expect(_feedback(second_tab)).to_contain_text("1 reader found it useful")
    second_tab.close()

    _feedback(andres).get_by_text("Suggest a correction").click()
    _feedback(andres).get_by_label("What should change").fill(CORRECTION)
    _feedback(andres).get_by_role("button", name="Send to the authors").click()
    expect(_alert(andres)).to_have_text("Thank you: your correction was sent to the authors.")
    andres.screenshot(path=shots / "07-useful-and-correction-phone.png", full_page=True)
    _fits_the_screen(andres)

    # --- Camila hears of the correction, live and by email, and finds it on her desk ----------
    notice = camila.locator("#live-toasts").get_by_role(
        "link", name=f"A reader suggests a correction to {TITLE}"
    )
    expect(notice).to_be_visible()
    assert any(
        CORRECTION in message.body and message.to == ["camila@demo.pioneros.test"]
        for message in mailoutbox
    )
    camila.goto(f"{daphne_url}/guides/desk/")
    mine = camila.locator("section[aria-labelledby=mine-heading]").locator("li", has_text=TITLE)
    expect(mine).to_contain_text("Corrections suggested: 1")
    expect(mine).to_contain_text("Published")
    # She coordinates no cluster: no review queue to show her.
    expect(camila.locator("section[aria-labelledby=review-heading]")).to_have_count(0)
    camila.screenshot(path=shots / "08-author-desk.png", full_page=True)
    mine.get_by_role("link", name=TITLE).click()

    manage = camila.locator("aside.guide-manage")
    suggestion = manage.locator(".border", has_text=CORRECTION)
    expect(suggestion).to_contain_text("Andrés Molina")
    expect(suggestion).to_contain_text("v1")
    expect(_feedback(camila)).to_contain_text("1 reader found it useful")
    expect(_feedback(camila).get_by_role("button", name="Useful")).to_have_count(0)
    camila.screenshot(path=shots / "09-author-sees-correction.png", full_page=True)

    manage.get_by_role("link", name="Edit").click()
    expect(camila.locator("main")).to_contain_text(
        "Readers keep seeing the published version until a coordinator reviews and publishes"
    )
    body_field = camila.locator("main form").get_by_label(re.compile(r"^Guide\b"))
    body_field.fill(body_field.input_value().replace("(peso < 2 kg)", "(hasta 5 kg)"))
    camila.get_by_role("button", name="Save draft").click()
    expect(_alert(camila)).to_have_text("Draft saved. Readers see the published version.")
    changes = camila.locator("section[aria-labelledby=changes-heading]")
    expect(changes.locator("h2")).to_have_text("Changes since version 1")
    expect(changes.locator("tr.diff-removed")).to_contain_text("(peso < 2 kg)")
    expect(changes.locator("tr.diff-added")).to_contain_text("(hasta 5 kg)")
    manage = camila.locator("aside.guide-manage")
    manage.locator(".border", has_text=CORRECTION).get_by_role("button", name="Taken up").click()
    expect(_alert(camila)).to_have_text("Correction answered.")
    # Still on her working copy, where the correction no longer waits.
    expect(changes).to_be_visible()
    expect(camila.locator("aside.guide-manage")).to_contain_text("None open.")
    camila.locator("aside.guide-manage").get_by_role("button", name="Send for review").click()
    expect(_alert(camila)).to_have_text("Sent to the coordinators for review.")
    expect(_status(camila)).to_have_text("In review")

    # Meanwhile readers still see version 1.
    andres.goto(guide_url)
    expect(andres.locator(".guide-body")).to_contain_text("(peso < 2 kg)")

    # --- Lucía publishes version 2, and must say why ------------------------------------------
    lucia.goto(f"{daphne_url}/guides/desk/")
    row = lucia.locator("section[aria-labelledby=review-heading]").locator("li", has_text=TITLE)
    expect(row).to_contain_text("Changes since version 1")
    row.get_by_role("link", name=TITLE).click()
    # The queue leads to the working copy, with what changed.
    changes = lucia.locator("section[aria-labelledby=changes-heading]")
    expect(changes.locator("tr.diff-added")).to_contain_text("(hasta 5 kg)")
    lucia.get_by_role("button", name="Publish this version").click()
    expect(_alert(lucia)).to_have_text("Say what changed and why.")
    expect(changes).to_be_visible()  # she stays with the changes she reviews
    publish = lucia.locator(
        "aside.guide-manage form",
        has=lucia.get_by_role("button", name="Publish this version"),
    )
    publish.get_by_label("What changed and why").fill(REASON)
    publish.get_by_role("button", name="Publish this version").click()
    expect(_alert(lucia)).to_have_text("Published as version 2.")
    expect(lucia.locator("main")).to_contain_text("Version 2, published")
    expect(lucia.locator(".guide-body")).to_contain_text("(hasta 5 kg)")
    lucia.screenshot(path=shots / "10-version-2-published.png", full_page=True)

    # --- Andrés reads version 2 and compares it with the first ---------------------------------
    andres.goto(guide_url)
    expect(andres.locator(".guide-body")).to_contain_text("(hasta 5 kg)")
    expect(_feedback(andres)).to_contain_text("1 reader found it useful")
    andres.locator("main article").get_by_role("link", name="History").click()
    expect(andres.locator("h1")).to_have_text("Published versions")
    rows = andres.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("v2 current")
    expect(rows.first).to_contain_text("Lucía Restrepo")
    expect(rows.first).to_contain_text(REASON)
    expect(rows.last).to_contain_text("v1")
    expect(rows.last).to_contain_text("First version")
    andres.screenshot(path=shots / "11-history-phone.png", full_page=True)
    _fits_the_screen(andres)
    andres.get_by_role("button", name="Compare").click()
    expect(andres.locator("h1")).to_have_text("From version 1 to version 2")
    expect(andres.locator("main")).to_contain_text(REASON)
    expect(andres.locator("tr.diff-removed")).to_have_count(1)
    expect(andres.locator("tr.diff-removed")).to_contain_text("(peso < 2 kg)")
    expect(andres.locator("tr.diff-added")).to_have_count(1)
    expect(andres.locator("tr.diff-added")).to_contain_text("(hasta 5 kg)")
    andres.screenshot(path=shots / "12-compare-phone.png", full_page=True)
    _fits_the_screen(andres)
    andres.set_viewport_size(DESKTOP)
    andres.screenshot(path=shots / "13-compare-desktop.png", full_page=True)
    andres.get_by_role("link", name="Back to the history").click()
    andres.locator("main table").get_by_role("link", name="v1", exact=True).click()
    expect(andres.locator("main")).to_contain_text(
        "You are reading version 1, not the current one."
    )
    expect(andres.locator(".guide-body")).to_contain_text("(peso < 2 kg)")

    # The same guide in his own language, on his phone: the page around it is translated.
    andres.set_viewport_size(PHONE)
    andres.goto(guide_url)
    andres.get_by_role("button", name="Menu").click()
    # As a person does, he taps once the menu has opened: while Bootstrap still animates it
    # ("collapsing"), its lower part is clipped and a tap there lands on the page beneath.
    expect(andres.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    andres.locator("#language-select").select_option("es")
    andres.get_by_role("button", name="Go").click()
    expect(andres.locator("html")).to_have_attribute("lang", "es")
    expect(_feedback(andres)).to_contain_text("¿Te ayudó?")
    expect(_feedback(andres)).to_contain_text("A 1 lector le resultó útil")
    expect(_feedback(andres)).to_contain_text("Te resultó útil")
    expect(andres.locator(".guide-facets")).to_contain_text("Canadá")
    andres.screenshot(path=shots / "14-guide-in-spanish-phone.png", full_page=True)
    _fits_the_screen(andres)

    for page in (camila, lucia, andres):
        assert page.console_errors == [], page.console_errors
    for context in (camila_context, lucia_context, andres_context):
        context.close()


def test_an_accepted_answer_becomes_a_draft_guide_in_one_step(
    demo_network, browser, daphne_url, screenshot_dir
):
    martin_context, martin = _sign_in(browser, daphne_url, "martin")
    martin.goto(f"{daphne_url}/clusters/")
    martin.get_by_role("link", name="Exportadores de Software de Montevideo").first.click()
    martin.locator("main").get_by_role("link", name="Forum", exact=True).click()
    martin.get_by_role("link", name="Doble tributación con clientes en España").click()
    expect(martin.locator("h1 .topic-state")).to_have_text("Solved")
    topic_url = martin.url
    martin.get_by_role("button", name="Turn this answer into a guide").click()

    expect(_alert(martin)).to_have_text(
        "A draft guide now quotes this answer. Shape it into a guide."
    )
    expect(martin.locator("h1")).to_have_text("Edit the guide")
    form = martin.locator("main form")
    expect(form.get_by_label("Title")).to_have_value("Doble tributación con clientes en España")
    # Filed under, and introduced in, the language of the exchange, though his pages are in
    # English.
    expect(form.get_by_label("Language").locator("option:checked")).to_have_text("Spanish")
    expect(form.get_by_label("Summary")).to_have_value(
        "A partir de la respuesta aceptada de Martín Pereira en el foro, para convertirla en una"
        " guía."
    )
    body = form.get_by_label(re.compile(r"^Guide\b")).input_value()
    assert re.search(r"\*\*Pregunta\*\* de Sofía Acosta, \d{4}-\d\d-\d\d:", body)
    assert "> Firmamos con un cliente en Madrid." in body
    assert "**Respuesta aceptada** de Martín Pereira" in body
    assert "> Uruguay tiene convenio con España" in body
    martin.screenshot(path=screenshot_dir / "1-promoted-draft-form.png", full_page=True)
    form.get_by_role("button", name="Save draft").click()

    expect(_alert(martin)).to_have_text("Draft saved. Send it for review when it is ready.")
    expect(martin.locator("main")).to_contain_text("Working copy (Draft)")
    expect(_status(martin)).to_have_text("Draft")
    body = martin.locator(".guide-body")
    expect(body.locator("strong").first).to_have_text("Pregunta")
    expect(body.locator("blockquote").first).to_have_text(
        "Firmamos con un cliente en Madrid. ¿Cómo evitamos la retención en origen?"
    )
    expect(body.locator("blockquote").last).to_contain_text("Uruguay tiene convenio con España")
    expect(body).not_to_contain_text("**")
    martin.screenshot(path=screenshot_dir / "2-promoted-draft.png", full_page=True)
    _phone_shot(martin, screenshot_dir / "3-promoted-draft-phone.png")

    # The link back leads to the answer; the question now points to the guide instead of
    # offering to start another.
    body.get_by_role("link", name="Lee el debate completo en el foro").click()
    expect(martin).to_have_url(re.compile(re.escape(topic_url) + r"#post-\d+$"))
    started = martin.locator(".guide-promote")
    expect(started).to_contain_text("A guide was started from this answer:")
    expect(started.get_by_role("link")).to_have_text("Doble tributación con clientes en España")
    expect(martin.get_by_role("button", name="Turn this answer into a guide")).to_have_count(0)
    martin.screenshot(path=screenshot_dir / "4-topic-after-promotion.png", full_page=True)
    assert martin.console_errors == [], martin.console_errors
    martin_context.close()
