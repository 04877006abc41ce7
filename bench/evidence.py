"""9. Evidence: a customs file imported through preview and confirmation, and the estimator.

The import writes an invented customs file of 1,000,000 rows for a registry of 20,000 firms
into a fresh SQLite database, through the same check and write the worker runs; the estimate
is Callaway & Sant'Anna on a synthetic panel of 100,000 firms x 12 years. Each runs in a
fresh process so its peak memory is its own.
"""

import multiprocessing
import os
import tempfile
import time

from bench.matching import _peak_rss
from bench.results import Result, row

CUSTOMS_HEADER = "tax_id,id_scheme,period,tariff_code,destination,fob_usd\n"


def _setup_database() -> None:
    path = tempfile.mkstemp(suffix=".sqlite3", prefix="bench-evidence-")[1]
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _import(rows: int, firms: int) -> dict:
    _setup_database()
    import numpy as np
    from stdnum.pe import ruc

    from evidence import imports
    from evidence.models import RegistryFirm
    from tests.factories import AgencyFactory, UserFactory

    agency = AgencyFactory(name="Bench")
    officer = UserFactory()
    officer.profile.organization = agency
    officer.profile.save()
    ids = [f"20{n:08d}" + ruc.calc_check_digit(f"20{n:08d}") for n in range(firms)]
    registry = "tax_id,id_scheme,name\n" + "".join(f"{t},RUC,Firma {t}\n" for t in ids)
    batch = imports.upload(by=officer, kind="firms", file_name="f.csv", content=registry.encode())
    imports.check(batch.pk)
    imports.confirm(batch=batch, by=officer)
    imports.write(batch.pk)
    assert RegistryFirm.objects.filter(is_current=True).count() == firms
    rng = np.random.default_rng(0)
    picks = rng.integers(0, firms, rows)
    years = rng.integers(2014, 2025, rows)
    lines = [
        f"{ids[f]},RUC,{y},0901119000,US,{v:.2f}\n"
        for f, y, v in zip(picks, years, rng.lognormal(8, 1, rows), strict=True)
    ]
    content = (CUSTOMS_HEADER + "".join(lines)).encode()
    del lines
    started = time.perf_counter()
    batch = imports.upload(by=officer, kind="customs", file_name="c.csv", content=content)
    del content
    imports.check(batch.pk)
    checked = time.perf_counter()
    imports.confirm(batch=batch, by=officer)
    batch = imports.write(batch.pk)
    done = time.perf_counter()
    os.remove(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))
    return {
        "check": checked - started,
        "write": done - checked,
        "total": done - started,
        "written": batch.rows_written,
        "peak": _peak_rss(),
    }


def _estimate(firms: int, years: int) -> dict:
    from evidence.estimate import estimate
    from tests.evidence.synthetic import synthetic_panel

    panel = synthetic_panel(0, firms=firms, years=years)
    started = time.perf_counter()
    result = estimate(panel, outcome="ihs_fob", n_bootstrap=499)
    return {
        "seconds": time.perf_counter() - started,
        "error": abs(result.overall.estimate - 0.25),
        "peak": _peak_rss(),
    }


def run(quick: bool, notes: list[str]) -> list[Result]:
    # The quick run judges nothing here: it checks that both paths run, small.
    rows, firms = (20_000, 1_000) if quick else (1_000_000, 20_000)
    panel_firms = 2_000 if quick else 100_000
    decisive = not quick
    imported = in_child_evidence("_import", rows, firms)
    estimated = in_child_evidence("_estimate", panel_firms, 12)
    scale = f"{rows:,} customs rows, {firms:,} firms"
    panel_scale = f"{panel_firms:,} firms x 12 years"
    return [
        row(
            "evidence",
            scale,
            "seconds to check and write (ref: check alone)",
            imported["total"],
            imported["check"],
            target="< 120 s" if decisive else "",
            passed=imported["total"] < 120 if decisive else None,
        ),
        row(
            "evidence",
            scale,
            "peak MiB of the importing process",
            imported["peak"] / 2**20,
            target="< 1024" if decisive else "",
            passed=imported["peak"] < 2**30 if decisive else None,
        ),
        row(
            "evidence",
            panel_scale,
            "seconds to estimate one outcome, 499 bootstrap draws",
            estimated["seconds"],
            target="< 30 s" if decisive else "",
            passed=estimated["seconds"] < 30 if decisive else None,
        ),
        row(
            "evidence",
            panel_scale,
            "peak MiB of the estimating process",
            estimated["peak"] / 2**20,
            target="< 2048" if decisive else "",
            passed=estimated["peak"] < 2 * 2**30 if decisive else None,
        ),
    ]


def _child(pipe, name: str, args: tuple) -> None:
    pipe.send(globals()[name](*args))


def in_child_evidence(name: str, *args):
    """A function of this module in a fresh process: its own database and peak memory."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_child, args=(theirs, name, args))
    process.start()
    answer = ours.recv() if ours.poll(1800) else None
    process.join(timeout=10)
    if answer is None:
        process.kill()
        raise RuntimeError(f"{name}{args} did not finish in 1800 s")
    return answer
