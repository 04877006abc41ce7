"""Importing an agency's files: preview first, all or nothing, idempotent and reversible."""

from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError, NotAllowed
from evidence import imports
from evidence.models import CustomsRecord, ImportBatch, PastParticipant, RegistryFirm
from tests.evidence.conftest import (
    CUSTOMS_HEADER,
    FIRMS_HEADER,
    RUC,
    csv_bytes,
    customs_file,
    firms_file,
    imported,
    run,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db
Status = ImportBatch.Status


def state(agency) -> tuple:
    """Everything reads see of the agency's data."""
    active = {"agency": agency, "batch__status": Status.IMPORTED}
    return (
        sorted(
            RegistryFirm.objects.filter(agency=agency, is_current=True).values_list(
                "scheme", "tax_id", "name", "sector", "region", "size"
            )
        ),
        sorted(
            CustomsRecord.objects.filter(**active).values_list(
                "scheme", "tax_id", "year", "month", "tariff_code", "destination", "fob_usd"
            )
        ),
        sorted(
            PastParticipant.objects.filter(**active).values_list(
                "scheme", "tax_id", "start_year", "start_month"
            )
        ),
    )


def test_preview_counts_rows_and_writes_nothing(officer, agency):
    batch = imports.upload(by=officer, kind="firms", file_name="f.csv", content=firms_file())
    batch = run(batch)
    assert batch.status == Status.PREVIEW
    assert (batch.rows_total, batch.rows_accepted, batch.rows_refused) == (3, 3, 0)
    assert not RegistryFirm.objects.exists()


def test_confirmed_file_enters_the_registry_normalised(officer, agency):
    imported(officer, "firms", firms_file(f"{'890.903.938-8'},NIT,Flores SAS,,,"))
    firms, _customs, _starts = state(agency)
    assert [row[:3] for row in firms] == [
        ("NIT", "8909039388", "Flores SAS"),
        ("RUC", RUC[0], "Café Andino SAC"),
        ("RUC", RUC[2], "Pesca Sur"),
        ("RUC", RUC[1], "Textiles Inca SA"),
    ]


def test_refused_rows_name_row_column_and_reason(officer):
    content = firms_file(
        "20100047219,RUC,Mal Dígito,,,",
        f'{RUC[3]},RUC,=HYPERLINK("x"),,,',
        f"{RUC[4]},RUC,Buena,,,huge",
        f"{RUC[0]},RUC,Otra vez,,,",
    )
    batch = run(imports.upload(by=officer, kind="firms", file_name="f.csv", content=content))
    assert batch.rows_accepted == 3 and batch.rows_refused == 4
    found = [(row, column, msgid) for row, column, _value, msgid, _params in batch.refused]
    assert found == [
        (5, "tax_id", "The check digit does not match the number."),
        (6, "name", "Starts like a spreadsheet formula (=, +, -, @)."),
        (7, "size", "Use micro, small, medium or large, or leave it empty."),
        (8, "tax_id", "The same firm is also on row %(row)d."),
    ]


def test_customs_preview_totals_each_year(officer):
    imported(officer, "firms", firms_file())
    batch = run(
        imports.upload(by=officer, kind="customs", file_name="c.csv", content=customs_file())
    )
    assert batch.totals == {
        "2022": {"rows": 1, "firms": 1, "fob_usd": "12000.50"},
        "2023": {"rows": 2, "firms": 2, "fob_usd": "12500.00"},
    }


def test_customs_of_a_firm_not_in_the_registry_are_refused(officer):
    imported(officer, "firms", firms_file())
    content = csv_bytes(CUSTOMS_HEADER, f"{RUC[4]},RUC,2022,0901119000,US,10")
    batch = run(imports.upload(by=officer, kind="customs", file_name="c.csv", content=content))
    assert batch.rows_accepted == 0 and batch.refused[0][1] == "tax_id"
    with pytest.raises(DomainError):
        imports.confirm(batch=batch, by=officer)


def test_semicolons_decimal_commas_and_xlsx_read_alike(officer, agency):
    imported(officer, "firms", firms_file())
    semicolons = csv_bytes(CUSTOMS_HEADER.replace(",", ";"), f"{RUC[0]};RUC;2022;090111;US;10,5")
    imported(officer, "customs", semicolons)
    workbook = xlsx_bytes([CUSTOMS_HEADER.split(","), [RUC[1], "RUC", 2021, "090111", "us", 10.5]])
    imported(officer, "customs", workbook, name="c.xlsx")
    _firms, customs, _starts = state(agency)
    assert [(row[2], str(row[6])) for row in customs] == [(2022, "10.50"), (2021, "10.50")]


def test_the_same_file_again_changes_nothing(officer, agency):
    imported(officer, "firms", firms_file())
    before, batches = state(agency), ImportBatch.objects.count()
    with pytest.raises(DomainError) as refused:
        imports.upload(by=officer, kind="firms", file_name="again.csv", content=firms_file())
    assert "nothing changed" in refused.value.message
    assert (state(agency), ImportBatch.objects.count()) == (before, batches)


def test_a_file_of_unchanged_firms_has_nothing_to_import(officer):
    imported(officer, "firms", firms_file())
    reordered = csv_bytes(FIRMS_HEADER, *firms_file().decode().splitlines()[1:][::-1])
    batch = run(imports.upload(by=officer, kind="firms", file_name="f.csv", content=reordered))
    assert (batch.rows_unchanged, batch.rows_accepted) == (3, 0)


def test_rollback_restores_the_state_before_the_file(officer, agency):
    imported(officer, "firms", firms_file())
    before = state(agency)
    renamed = csv_bytes(FIRMS_HEADER, f"{RUC[0]},RUC,Café Andino Export SAC,agrifood,Cusco,medium")
    batch = imported(officer, "firms", renamed)
    assert state(agency) != before
    imports.rollback(batch=batch, by=officer)
    assert state(agency) == before


def test_replacing_then_rolling_back_gives_the_first_file_its_place(officer, agency):
    imported(officer, "firms", firms_file())
    first = imported(officer, "customs", customs_file())
    with_first = state(agency)
    corrected = csv_bytes(CUSTOMS_HEADER, f"{RUC[0]},RUC,2022,0901119000,US,12000")
    second = imported(officer, "customs", corrected, replaces=first)
    first.refresh_from_db()
    assert first.status == Status.REPLACED
    assert len(state(agency)[1]) == 1
    imports.rollback(batch=second, by=officer)
    first.refresh_from_db()
    assert first.status == Status.IMPORTED and state(agency) == with_first


def test_firms_with_customs_records_cannot_be_rolled_back_from_under_them(officer, agency):
    firms = imported(officer, "firms", firms_file())
    imported(officer, "customs", customs_file())
    before = state(agency)
    with pytest.raises(DomainError):
        imports.rollback(batch=firms, by=officer)
    assert state(agency) == before


def test_a_failure_while_writing_leaves_nothing(officer, agency, monkeypatch):
    imported(officer, "firms", firms_file())
    before = state(agency)
    monkeypatch.setattr(imports, "CHUNK", 1)
    batch = run(
        imports.upload(by=officer, kind="customs", file_name="c.csv", content=customs_file())
    )
    imports.confirm(batch=batch, by=officer)
    calls = []
    real = imports._insert

    def flaky(batch, records):
        calls.append(len(records))
        if len(calls) == 2:
            raise OSError("disk full")
        return real(batch, records)

    with mock.patch.object(imports, "_insert", flaky), pytest.raises(OSError):
        imports.write(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert state(agency) == before and not CustomsRecord.objects.filter(batch=batch).exists()


def test_another_agency_cannot_confirm_or_roll_back(officer, other_officer):
    batch = imported(officer, "firms", firms_file())
    with pytest.raises(NotAllowed):
        imports.rollback(batch=batch, by=other_officer)
    pending = run(
        imports.upload(by=officer, kind="customs", file_name="c.csv", content=customs_file())
    )
    with pytest.raises(NotAllowed):
        imports.confirm(batch=pending, by=other_officer)


firm_rows = st.lists(
    st.tuples(
        st.sampled_from(RUC),
        st.sampled_from(["Alfa SAC", "Beta SA", "Gamma EIRL"]),
        st.sampled_from(["", "agrifood", "mining"]),
        st.sampled_from(["", "small", "large"]),
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda row: row[0],
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.lists(firm_rows, min_size=1, max_size=4))
def test_any_file_imported_again_is_a_no_op_and_its_rollback_restores_the_state(
    officer, agency, files
):
    for rows in files:
        content = csv_bytes(
            FIRMS_HEADER,
            *(f"{tax},RUC,{name},{sector},,{size}" for tax, name, sector, size in rows),
        )
        before = state(agency)
        try:
            batch = run(
                imports.upload(by=officer, kind="firms", file_name="f.csv", content=content)
            )
        except DomainError:
            assert state(agency) == before  # the same file again: refused, nothing changed
            continue
        if batch.rows_accepted == 0:
            continue
        imports.confirm(batch=batch, by=officer)
        imports.write(batch.pk)
        after = state(agency)
        with pytest.raises(DomainError):
            imports.upload(by=officer, kind="firms", file_name="again.csv", content=content)
        assert state(agency) == after
        imports.rollback(batch=ImportBatch.objects.get(pk=batch.pk), by=officer)
        assert state(agency) == before
