"""Hostile files uploaded by an agency officer: each gets a clear message, no data is written,
and nothing answers 500.

File-level faults refuse the whole file; row-level faults refuse the row, naming its row,
column and reason, and the file's other rows wait for confirmation as usual.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from evidence.models import CustomsRecord, ImportBatch, PastParticipant, RegistryFirm
from tests.evidence.conftest import (
    CUSTOMS_HEADER,
    FIRMS_HEADER,
    RUC,
    csv_bytes,
    firms_file,
    imported,
    officer_of,
    xlsx_bytes,
)
from tests.factories import AgencyFactory
from tests.reporting import report

pytestmark = pytest.mark.django_db
GOOD_CUSTOMS = f"{RUC[0]},RUC,2022,0901119000,US,100"


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _bomb() -> bytes:
    # 40 MB of one repeated byte packs into about 40 KB: a ratio no real sheet has.
    return _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b" " * 40_000_000})


def _laughs() -> bytes:
    """A workbook whose sheet declares nested entities (the "billion laughs") and use one."""
    good = xlsx_bytes([FIRMS_HEADER.split(","), [RUC[3], "RUC", "Firma", "", "", ""]])
    source = zipfile.ZipFile(io.BytesIO(good))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    nested = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10))
    doctype = f'<!DOCTYPE worksheet [<!ENTITY lol1 "lol">{nested}]>'.encode()
    sheet = entries["xl/worksheets/sheet1.xml"]
    entries["xl/worksheets/sheet1.xml"] = doctype + sheet.replace(b">Firma<", b">&lol9;<")
    return _zip(entries)


# (what, kind, file name, content, message the officer reads)
FILE_FAULTS = [
    (
        "wrong encoding",
        "firms",
        "f.csv",
        f"{FIRMS_HEADER}\n{RUC[3]},RUC,Café,,,\n".encode("latin-1"),
        "not UTF-8",
    ),
    (
        "missing column",
        "customs",
        "c.csv",
        csv_bytes("tax_id,id_scheme,period,fob_usd", f"{RUC[0]},RUC,2022,1"),
        "Missing columns: tariff_code, destination",
    ),
    (
        "duplicated column",
        "firms",
        "f.csv",
        csv_bytes("tax_id,id_scheme,name,name", f"{RUC[3]},RUC,A,B"),
        "appears twice",
    ),
    ("empty file", "firms", "f.csv", b"\n\n", "The file is empty"),
    ("header only", "firms", "f.csv", csv_bytes(FIRMS_HEADER), "no rows"),
    (
        "unclosed quote",
        "firms",
        "f.csv",
        csv_bytes(FIRMS_HEADER, f'{RUC[3]},RUC,"Firma,,,', f"{RUC[4]},RUC,B,,,"),
        "not valid CSV",
    ),
    ("binary data", "firms", "f.csv", b"tax_id,id_scheme,name\n\x00\x01\x02", "binary data"),
    ("malformed xlsx", "firms", "f.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "damaged"),
    (
        "zip that is no workbook",
        "firms",
        "f.xlsx",
        _zip({"word/document.xml": b"<w/>"}),
        "not an Excel workbook",
    ),
    ("zip bomb xlsx", "firms", "f.xlsx", _bomb(), "unpacks to far more"),
]

# (what, content rows after the header, column refused, message)
ROW_FAULTS = [
    ("negative FOB", f"{RUC[0]},RUC,2022,0901119000,US,-5", "fob_usd", "cannot be negative"),
    ("future period", f"{RUC[0]},RUC,2999-01,0901119000,US,5", "period", "in the future"),
    ("unknown country", f"{RUC[0]},RUC,2022,0901119000,XX,5", "destination", "Not an ISO 3166"),
    ("bad check digit", "20100047219,RUC,2022,0901119000,US,5", "tax_id", "check digit"),
    ("5-digit tariff code", f"{RUC[0]},RUC,2022,09011,US,5", "tariff_code", "6 to 10 digits"),
    ("unknown scheme", f"{RUC[0]},XYZ,2022,0901119000,US,5", "id_scheme", "Unknown scheme"),
    ("amount as text", f"{RUC[0]},RUC,2022,0901119000,US,lots", "fob_usd", "Not a number"),
    ("infinite amount", f"{RUC[0]},RUC,2022,0901119000,US,Infinity", "fob_usd", "Not a number"),
    ("thirteenth month", f"{RUC[0]},RUC,2022-13,0901119000,US,5", "period", "between 01 and 12"),
    ("extra cells", f"{RUC[0]},RUC,2022,0901119000,US,5,oops", "", "more cells"),
]

FIRM_ROW_FAULTS = [
    (
        "formula-like name",
        f'{RUC[3]},RUC,=HYPERLINK("http://x"),,,',
        "name",
        "spreadsheet formula",
    ),
    ("formula-like region", f"{RUC[3]},RUC,Firma,,@SUM(A1),", "region", "spreadsheet formula"),
    ("name of control characters", f"{RUC[3]},RUC,Fir\x07ma,,,", "name", "control characters"),
    ("overlong name", f"{RUC[3]},RUC,{'x' * 201},,,", "name", "Longer than 200"),
]


@pytest.fixture
def officer():
    return officer_of(AgencyFactory(name="Agencia"))


@pytest.fixture
def client(officer):
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    return client


def _data() -> tuple[int, int, int]:
    return (
        RegistryFirm.objects.count(),
        CustomsRecord.objects.count(),
        PastParticipant.objects.count(),
    )


def _post(client, kind: str, name: str, content: bytes, capture):
    with capture(execute=True):
        response = client.post(
            reverse("evidence:upload"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
        )
    assert response.status_code in (200, 302), response.status_code
    batch = ImportBatch.objects.order_by("-id").first()
    page = (
        client.get(reverse("evidence:batch", args=[batch.pk]))
        if response.status_code == 302
        else response
    )
    assert page.status_code == 200
    return batch, page.content.decode()


@pytest.mark.parametrize(
    ("what", "kind", "name", "content", "message"), FILE_FAULTS, ids=[f[0] for f in FILE_FAULTS]
)
def test_a_faulty_file_is_refused_with_its_reason(
    client, officer, django_capture_on_commit_callbacks, what, kind, name, content, message
):
    imported(officer, "firms", firms_file())
    before = _data()
    batch, page = _post(client, kind, name, content, django_capture_on_commit_callbacks)
    report("hostile inputs tried", 1)
    assert batch.status == ImportBatch.Status.REFUSED
    assert message in page
    assert _data() == before
    report("hostile inputs rendered or refused harmlessly", 1)


@pytest.mark.parametrize(
    ("what", "row", "column", "message"), ROW_FAULTS, ids=[f[0] for f in ROW_FAULTS]
)
def test_a_faulty_customs_row_is_refused_by_row_column_and_reason(
    client, officer, django_capture_on_commit_callbacks, what, row, column, message
):
    imported(officer, "firms", firms_file())
    before = _data()
    content = csv_bytes(CUSTOMS_HEADER, GOOD_CUSTOMS, row)
    batch, page = _post(client, "customs", "c.csv", content, django_capture_on_commit_callbacks)
    report("hostile inputs tried", 1)
    assert (batch.status, batch.rows_accepted, batch.rows_refused) == ("preview", 1, 1)
    assert batch.refused[0][:2] == [3, column]
    assert message in page
    assert _data() == before
    report("hostile inputs rendered or refused harmlessly", 1)


@pytest.mark.parametrize(
    ("what", "row", "column", "message"), FIRM_ROW_FAULTS, ids=[f[0] for f in FIRM_ROW_FAULTS]
)
def test_a_faulty_firm_row_is_refused_by_row_column_and_reason(
    client, django_capture_on_commit_callbacks, what, row, column, message
):
    content = csv_bytes(FIRMS_HEADER, f"{RUC[4]},RUC,Buena,,,", row)
    batch, page = _post(client, "firms", "f.csv", content, django_capture_on_commit_callbacks)
    assert (batch.rows_accepted, batch.rows_refused) == (1, 1)
    assert batch.refused[0][:2] == [3, column] and message in page
    assert _data() == (0, 0, 0)


def test_a_file_over_the_size_limit_is_refused_before_it_is_kept(client, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024
    response = client.post(
        reverse("evidence:upload"),
        {"kind": "firms", "file": SimpleUploadedFile("big.csv", firms_file() + b" " * 2048)},
    )
    assert response.status_code == 200 and "larger than" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_entities_declared_in_a_sheet_are_never_expanded(
    client, django_capture_on_commit_callbacks
):
    batch, page = _post(client, "firms", "f.xlsx", _laughs(), django_capture_on_commit_callbacks)
    assert "lollol" not in page
    assert batch.status in (ImportBatch.Status.REFUSED, ImportBatch.Status.PREVIEW)
    assert _data() == (0, 0, 0)


def test_an_unknown_kind_or_no_file_is_a_form_error(client):
    for data in (
        {"kind": "salaries", "file": SimpleUploadedFile("f.csv", firms_file())},
        {"kind": "firms"},
    ):
        response = client.post(reverse("evidence:upload"), data)
        assert response.status_code == 200
        assert "is-invalid" in response.content.decode()
    assert not ImportBatch.objects.exists()
