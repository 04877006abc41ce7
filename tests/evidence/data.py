"""Imported data written straight to the tables, for tests that start from a filled registry."""

import datetime
from decimal import Decimal

import numpy as np
from django.utils import timezone
from stdnum.pe import ruc

from evidence.models import CustomsRecord, ImportBatch, PastParticipant, RegistryFirm
from incentives import services as incentives
from tests.factories import make_cluster


def ruc_of(n: int) -> str:
    base = f"20{n:08d}"
    return base + ruc.calc_check_digit(base)


def new_batch(agency, officer, kind) -> ImportBatch:
    return ImportBatch.objects.create(
        agency=agency,
        kind=kind,
        status=ImportBatch.Status.IMPORTED,
        file_name=f"{kind}.csv",
        file_hash=f"{kind}-{ImportBatch.objects.count()}",
        file_size=1,
        uploaded_by=officer,
        imported_at=timezone.now(),
    )


def registry(agency, officer, count: int) -> list[str]:
    batch = new_batch(agency, officer, "firms")
    ids = [ruc_of(n) for n in range(count)]
    RegistryFirm.objects.bulk_create(
        RegistryFirm(
            agency=agency,
            batch=batch,
            scheme="RUC",
            tax_id=tax_id,
            name=f"Firma {n}",
            sector=["agrifood", "mining"][n % 2],
            is_current=True,
        )
        for n, tax_id in enumerate(ids)
    )
    return ids


def customs(agency, officer, rows) -> ImportBatch:
    """Rows of (tax id, year, HS6 code, destination, FOB), each as tariff code HS6 + "00"."""
    batch = new_batch(agency, officer, "customs")
    CustomsRecord.objects.bulk_create(
        CustomsRecord(
            agency=agency,
            batch=batch,
            scheme="RUC",
            tax_id=tax_id,
            year=year,
            tariff_code=code + "00",
            hs6=code,
            destination=country,
            fob_usd=Decimal(fob),
        )
        for tax_id, year, code, country, fob in rows
    )
    # What a real import records of its rows: the years they cover (evidence.verified).
    years = sorted({row[1] for row in rows})
    batch.totals = {str(year): {"rows": sum(row[1] == year for row in rows)} for year in years}
    batch.save(update_fields=["totals"])
    return batch


def new_programme(officer, clusters=None):
    today = datetime.date.today()
    agency = officer.profile.organization
    clusters = clusters or [make_cluster(sponsor=agency)]
    return incentives.create_programme(
        by=officer,
        name="Exporta",
        clusters=clusters,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=365),
        unit="USD",
        budget=Decimal("1000"),
        cap_per_member_month=None,
        cap_per_pair_month=None,
    )


def evaluated_world(agency, officer, *, firms: int = 60, treated: int = 20, seed: int = 0):
    """A registry whose first `treated` firms started support in 2019 and export more after."""
    rng = np.random.default_rng(seed)
    ids = registry(agency, officer, firms)
    rows = []
    for n, tax_id in enumerate(ids):
        for year in range(2016, 2023):
            if rng.random() < 0.3 + 0.4 * (n < treated and year >= 2019):
                rows.append((tax_id, year, "090111", "US", "1000"))
    customs(agency, officer, rows)
    starts = new_batch(agency, officer, "participants")
    PastParticipant.objects.bulk_create(
        PastParticipant(agency=agency, batch=starts, scheme="RUC", tax_id=t, start_year=2019)
        for t in ids[:treated]
    )
    return new_programme(officer)
