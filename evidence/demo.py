"""An invented firm registry and customs panel for seed_demo, so the Impact page has data.

Everything here is made up and labelled so: about 2,000 firms with NITs that pass the check
digit but belong to nobody, 2014 to last year, where capable firms and fast-growing sectors
are both likelier to export and likelier to have been supported, as in real programmes.
"""

import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum.co import nit

from evidence.models import CustomsRecord, ImportBatch, PastParticipant, RegistryFirm
from incentives.selectors import agency_of
from network import demo
from network.models import User

OFFICER = "valeria"
FIRMS = 2000
FIRST_YEAR = 2014
SECTORS = ["agrifood", "beverages", "textiles", "manufacturing"]
REGIONS = ["Huila", "Antioquia", "Valle del Cauca", "Cundinamarca", "Santander"]
SIZES = ["micro", "small", "medium", "large"]
PRODUCTS = ["090111", "090121", "080300", "060311", "610910", "392690", "220300"]
MARKETS = ["US", "DE", "ES", "JP", "CA", "MX", "CL", "NL"]
LABEL = "demo-invented-{kind}.csv"


def _tax_id(n: int) -> str:
    base = f"9{n:08d}"
    return base + nit.calc_check_digit(base)


def _batch(agency, officer, kind: str, rows: int, totals: dict | None = None) -> ImportBatch:
    name = LABEL.format(kind=kind)
    return ImportBatch.objects.create(
        agency=agency,
        kind=kind,
        status=ImportBatch.Status.IMPORTED,
        file_name=name,
        file_hash=hashlib.sha256(name.encode()).hexdigest(),
        file_size=0,
        uploaded_by=officer,
        confirmed_by=officer,
        confirmed_at=timezone.now(),
        imported_at=timezone.now(),
        rows_total=rows,
        rows_accepted=rows,
        rows_written=rows,
        progress=rows,
        totals=totals or {},
    )


def _customs_rows(rng, firm_index: int, year: int, exports: bool) -> list[tuple]:
    if not exports:
        return []
    lines = []
    for product in rng.choice(PRODUCTS, size=rng.integers(1, 4), replace=False):
        for market in rng.choice(MARKETS, size=rng.integers(1, 3), replace=False):
            fob = Decimal(str(round(float(rng.lognormal(10, 1.2)), 2)))
            lines.append((firm_index, year, str(product), str(market), fob))
    return lines


def _totals(lines: list[tuple]) -> dict:
    """Per year, what an import of these lines would record (evidence.verified reads it)."""
    totals: dict = {}
    for n, year, _product, _market, fob in lines:
        entry = totals.setdefault(str(year), {"rows": 0, "firms": set(), "fob_usd": Decimal(0)})
        entry["rows"] += 1
        entry["firms"].add(n)
        entry["fob_usd"] += fob
    return {
        year: {"rows": e["rows"], "firms": len(e["firms"]), "fob_usd": str(e["fob_usd"])}
        for year, e in sorted(totals.items())
    }


# Last, as the top layer: the Impact page reads what every other app's demo made.
@demo.seeder("evidence", after=("incentives", "forums", "mentoring", "guides"))
@transaction.atomic
def seed_registry(*, people):
    officer = User.objects.select_related("profile__organization").get(pk=people[OFFICER].pk)
    agency = agency_of(officer)
    if agency is None or ImportBatch.objects.filter(agency=agency).exists():
        return
    # Here, not with the app: the seeder is registered by every process, run by seed_demo.
    import numpy as np

    rng = np.random.default_rng(2014)
    last = timezone.localdate().year - 1
    capability = rng.normal(size=FIRMS)
    sector = rng.choice(len(SECTORS), FIRMS)
    fast = sector == 0
    supported = rng.random(FIRMS) < 1 / (1 + np.exp(-(capability + fast - 1.5)))
    start = np.where(supported, rng.integers(2018, 2023, FIRMS), 0)
    ids = [_tax_id(n) for n in range(FIRMS)]
    firms = _batch(agency, officer, "firms", FIRMS)
    RegistryFirm.objects.bulk_create(
        RegistryFirm(
            agency=agency,
            batch=firms,
            scheme="NIT",
            tax_id=ids[n],
            name=f"Empresa inventada {n + 1:04d}",
            sector=SECTORS[sector[n]],
            region=REGIONS[n % len(REGIONS)],
            size=SIZES[int(rng.integers(0, len(SIZES)))],
            is_current=True,
        )
        for n in range(FIRMS)
    )
    lines = []
    for n in range(FIRMS):
        for year in range(FIRST_YEAR, last + 1):
            lift = 0.5 if supported[n] and year >= start[n] else 0.0
            odds = capability[n] + 0.12 * (year - FIRST_YEAR) * fast[n] + lift - 0.6
            lines += _customs_rows(rng, n, year, rng.random() < 1 / (1 + np.exp(-odds)))
    customs = _batch(agency, officer, "customs", len(lines), _totals(lines))
    CustomsRecord.objects.bulk_create(
        (
            CustomsRecord(
                agency=agency,
                batch=customs,
                scheme="NIT",
                tax_id=ids[n],
                year=year,
                tariff_code=product + "0000",
                hs6=product,
                destination=market,
                fob_usd=fob,
            )
            for n, year, product, market, fob in lines
        ),
        batch_size=5000,
    )
    starts = _batch(agency, officer, "participants", int(supported.sum()))
    PastParticipant.objects.bulk_create(
        PastParticipant(
            agency=agency, batch=starts, scheme="NIT", tax_id=ids[n], start_year=int(start[n])
        )
        for n in range(FIRMS)
        if supported[n]
    )
