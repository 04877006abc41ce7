"""An agency officer's evidence journey, in Spanish on a phone, in Portuguese and English on a
desktop: upload a firms file and a customs file, read each preview, confirm, wait on the
progress bar, compute the estimates, read them, and open the printable report, printed.

The imports and the estimates run where they run in production: a `manage.py db_worker`
process on the database queue, the same database the Daphne thread serves pages from. Every
page is checked as in the role journeys (tests/browser/journeys.py). Screenshots go to
test-results/browser/test_evidence_journey/<language>-<width>/."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect
from stdnum.co import nit

from tests.browser.journeys import LANGUAGES, WIDTHS, Walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.journeys,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
WALKS = [("es", "phone"), ("pt_BR", "desktop"), ("en", "desktop")]
# A4 less the report's 15 mm margins, in CSS pixels: the width the printed page lays out in.
A4_PRINTED_WIDTH = round((210 - 2 * 15) / 25.4 * 96)
WAIT = 90_000  # ms: the worker's turn on a loaded machine, not a pause
DIGIT = re.compile(r"\d")


def _nit(n: int) -> str:
    base = f"8{n:08d}"
    return base + nit.calc_check_digit(base)


def files(folder: Path, walk: int) -> tuple[Path, Path]:
    """A firms file and a customs file of three new firms each walk, one row of each refused."""
    ids = [_nit(walk * 10 + n) for n in range(3)]
    firms = folder / f"empresas-{walk}.csv"
    firms.write_text(
        "tax_id,id_scheme,name,sector,region,size\n"
        + "".join(f"{tax_id},NIT,Firma nueva {tax_id},agrifood,Huila,small\n" for tax_id in ids)
        + f"{_nit(900 + walk)},NIT,Talla imposible,agrifood,Huila,enorme\n"
    )
    customs = folder / f"aduana-{walk}.csv"
    customs.write_text(
        "tax_id,id_scheme,period,tariff_code,destination,fob_usd\n"
        + "".join(
            f"{tax_id},NIT,2023,0901119000,US,{1200 + n}.50\n" for n, tax_id in enumerate(ids)
        )
        + f"{ids[0]},NIT,2024-03,0901119000,DE,800\n"
        + f"{_nit(950 + walk)},NIT,2024,0901119000,US,100\n"  # not in the registry
    )
    return firms, customs


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def demo_network(monkeypatch):
    from evidence import demo

    # Enough invented firms for real estimates, few enough to compute them three times here.
    monkeypatch.setattr(demo, "FIRMS", 300)
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def task_worker(demo_network, settings, screenshot_dir):
    """Tasks go to the database queue, and one worker process takes them from there."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "TASK_WORKER": "true",
        "DATABASE_URL": _database_url(),
    }
    with (screenshot_dir / "worker.log").open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def through_to_progress(walk: Walk, target) -> bool:
    """Click through to a page; whether the server sent it with work still in progress."""
    with walk.page.expect_response(
        lambda answer: answer.request.resource_type == "document" and answer.status == 200
    ) as answer:
        walk.click_through(target)
    return "<progress" in answer.value.text()


def import_file(walk: Walk, path: Path, kind: str) -> bool:
    """Upload, read the preview, confirm, wait for the import; True if a bar was seen."""
    page = walk.page
    page.select_option("#id_kind", kind)
    page.set_input_files("#id_file", str(path))
    seen = through_to_progress(walk, page.locator("main form[action$='/upload/'] button"))
    confirm = page.locator("#batch-status form[action$='/confirm/'] button")
    expect(confirm).to_be_visible(timeout=WAIT)
    status = page.locator("#batch-status")
    expect(status.locator(".text-success")).to_be_visible()  # rows accepted
    expect(status.locator(".text-danger")).to_be_visible()  # and refused, with the reason
    expect(status.locator("table").last.locator("tbody tr")).to_have_count(1)
    if kind == "customs":  # accepted rows by year, with their FOB
        expect(status.locator("table").first.locator("tbody tr")).to_have_count(2)
    walk.check()
    seen = through_to_progress(walk, confirm) or seen
    expect(page.locator("#batch-status form[action$='/rollback/']")).to_be_visible(timeout=WAIT)
    walk.check()
    return seen


def compute_estimates(walk: Walk) -> bool:
    """Ask for the estimates of the data as changed; True if the page came with a bar."""
    page = walk.page
    with page.expect_response(
        lambda answer: answer.request.resource_type == "document" and answer.status == 200
    ) as answer:
        page.locator("form[action$='/evaluate/'] button").click()
    seen = "<progress" in answer.value.text()  # read now: the page reloads once done
    # Polled until done, when the whole page loads again with the estimates: checked then,
    # not while it may reload under the checks.
    expect(page.locator("#att-exported")).to_be_visible(timeout=WAIT)
    page.wait_for_load_state()
    walk.check()
    return seen


def print_report(walk: Walk, pdf: Path | None) -> None:
    """The report as printed: the page alone, black on white, as wide as A4 holds."""
    page = walk.page
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.locator("[data-print]").click()  # the script wired the button to the print dialog
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.set_viewport_size({"width": A4_PRINTED_WIDTH, "height": 1100})
    page.emulate_media(media="print")
    for hidden in ("nav.navbar", "footer", "[data-print]", ".breadcrumb"):
        expect(page.locator(hidden)).to_be_hidden()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        walk.problems.append(f"{walk.language} printed report: wider than A4 by {overflow} px")
    page.screenshot(path=walk.shots / "printed-report.png", full_page=True)
    if pdf is not None:
        pdf.write_bytes(page.pdf(format="A4"))
        assert pdf.read_bytes().startswith(b"%PDF")


def evidence_journey(walk: Walk, folder: Path, number: int) -> bool:
    walk.sign_in("valeria@demo.pioneros.test")
    walk.follow("section[aria-labelledby=panel-evidence] a[href='/agency/evidence/']")
    firms, customs = files(folder, number)
    seen = import_file(walk, firms, "firms")
    walk.go("/agency/evidence/")
    seen = import_file(walk, customs, "customs") or seen

    walk.go("/")
    walk.follow("section[aria-labelledby=panel-evidence] a[href$='/impact/']")
    seen = compute_estimates(walk) or seen
    expect(walk.page.locator("#att-exported td").first).to_contain_text(DIGIT)
    expect(walk.page.locator("form[action$='/evaluate/']")).to_have_count(0)  # up to date
    walk.follow("a[href*='/impact/report/']")
    expect(walk.page.locator("svg[role=img] title[id^=chart-]").first).to_be_attached()
    expect(walk.page.locator("#att-exported td").first).to_contain_text(DIGIT)
    walk.width = "desktop" if walk.width == "phone" else "phone"  # the report at the other too
    walk.page.set_viewport_size({"width": WIDTHS[walk.width], "height": 900})
    walk.check()
    print_report(walk, walk.shots / "report.pdf" if walk.language == "en" else None)
    return seen


def test_officer_imports_evidence_and_prints_the_report(
    task_worker, browser, daphne_url, screenshot_dir, tmp_path
):
    from axe_playwright_python.sync_playwright import Axe

    axe, problems, pages, bars = Axe(), [], 0, 0
    for number, (language, width) in enumerate(WALKS):
        cache.clear()  # allauth's rate limits count sign-ins per address
        context = browser.new_context(
            viewport={"width": WIDTHS[width], "height": 900}, locale=LANGUAGES[language]
        )
        shots = screenshot_dir / f"{language}-{width}"
        shots.mkdir(parents=True, exist_ok=True)
        walk = Walk(context.new_page(), daphne_url, language, width, shots, axe, number == 0)
        try:
            bars += evidence_journey(walk, tmp_path, number)
        finally:
            context.close()
        problems += walk.problems
        pages += len(walk.visited)
    assert task_worker.poll() is None, "the worker died: see worker.log"
    print(f"evidence journey: {pages} pages checked in {len(WALKS)} walks")
    # The worker is quick, yet not so quick that no walk ever saw a bar move.
    assert bars > 0, "no page showed the progress of an import or an estimate"
    assert problems == [], "\n".join(problems)
