"""Two agencies with an officer each, and files in the shapes agencies send."""

import io

import pytest

from evidence import imports
from evidence.models import ImportBatch
from tests.factories import AgencyFactory, OfficerFactory

# Valid ids of each scheme (check digits verified by python-stdnum).
RUC = ["20100047218", "20131312955", "20100070970", "20100128056", "20100130204"]
NIT = "890903938-8"
FIRMS_HEADER = "tax_id,id_scheme,name,sector,region,size"
CUSTOMS_HEADER = "tax_id,id_scheme,period,tariff_code,destination,fob_usd"


def officer_of(agency):
    return OfficerFactory(organization=agency)


@pytest.fixture
def agency():
    return AgencyFactory(name="PromPerú")


@pytest.fixture
def officer(agency):
    return officer_of(agency)


@pytest.fixture
def other_officer():
    return OfficerFactory(organization__name="ProColombia")


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def firms_file(*extra: str) -> bytes:
    return csv_bytes(
        FIRMS_HEADER,
        f"{RUC[0]},RUC,Café Andino SAC,agrifood,Cusco,small",
        f"{RUC[1]},RUC,Textiles Inca SA,textiles,Lima,medium",
        f"{RUC[2]},ruc,Pesca Sur,agrifood,Ica,micro",
        *extra,
    )


def customs_file(*extra: str) -> bytes:
    return csv_bytes(
        CUSTOMS_HEADER,
        f"{RUC[0]},RUC,2022,0901119000,US,12000.50",
        f"{RUC[0]},RUC,2023-04,0901119000,DEU,8000",
        f"{RUC[1]},RUC,2023,6109100031,CL,4500",
        *extra,
    )


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(batch: ImportBatch) -> ImportBatch:
    """What the worker does after an upload: the check, then the preview waits."""
    return imports.check(batch.pk)


def imported(officer, kind: str, content: bytes, name: str = "file.csv", replaces=None):
    batch = imports.upload(
        by=officer, kind=kind, file_name=name, content=content, replaces=replaces
    )
    batch = run(batch)
    assert batch.status == ImportBatch.Status.PREVIEW, batch.problem
    imports.confirm(batch=batch, by=officer)
    batch = imports.write(batch.pk)
    assert batch.status == ImportBatch.Status.IMPORTED, batch.problem
    return batch
