"""Importing an agency's files: upload, check and preview, confirm, write, replace, roll back.

Nothing of a file is written until its officer confirms the preview. The worker then stages
the rows under the batch, which no read counts until the batch turns "imported" in one
transaction; a failure removes the staged rows. Rolling back deletes the batch's rows (and
gives a replaced file its place back), so the state before the batch returns exactly.
"""

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as _

from core.errors import NotAllowed
from evidence import files, rows
from evidence.errors import FileRefused, Refusal, RowRefused
from evidence.models import (
    BatchFile,
    CustomsRecord,
    ImportBatch,
    PastParticipant,
    RegistryFirm,
)
from incentives.selectors import agency_of
from network.models import Organization, User

Kind, Status = ImportBatch.Kind, ImportBatch.Status
KEPT = 2000  # refused rows kept for the page and the CSV; all are counted
CHUNK = 5000  # rows per bulk insert and per progress update


def require_officer(user: User, agency: Organization) -> None:
    mine = agency_of(user)
    if mine is None or mine.pk != agency.pk:
        raise NotAllowed(gettext_lazy("Only the importing agency's officers can do this."))


# --- Upload ------------------------------------------------------------------------------


@transaction.atomic
def upload(
    *,
    by: User,
    kind: str,
    file_name: str,
    content: bytes,
    replaces: ImportBatch | None = None,
) -> ImportBatch:
    """A new batch waiting for its check; refused at once if the agency holds this file."""
    agency = agency_of(by)
    if agency is None:
        raise NotAllowed(gettext_lazy("Only agency officers import files."))
    if kind not in Kind.values:
        raise Refusal(_("Choose what the file holds: firms, customs records or participants."))
    if replaces is not None:
        require_officer(by, replaces.agency)
        if replaces.status != Status.IMPORTED or replaces.kind != kind:
            raise Refusal(
                _("Only an imported file of the same kind can be replaced by a corrected one.")
            )
    files.check_size(len(content))
    digest = hashlib.sha256(content).hexdigest()
    held = (
        ImportBatch.objects.filter(
            agency=agency, kind=kind, file_hash=digest, status__in=ImportBatch.HELD
        )
        .order_by("-id")
        .first()
    )
    if held is not None:
        raise Refusal(
            _("This file is already here (import #%(id)d, %(status)s): nothing changed."),
            {"id": held.pk, "status": held.status},
        )
    batch = ImportBatch.objects.create(
        agency=agency,
        kind=kind,
        file_name=file_name[:255],
        file_hash=digest,
        file_size=len(content),
        replaces=replaces,
        uploaded_by=by,
    )
    BatchFile.objects.create(batch=batch, content=content)
    from evidence.tasks import check_batch

    transaction.on_commit(lambda: check_batch.enqueue(batch_id=batch.pk))
    return batch


@transaction.atomic
def confirm(*, batch: ImportBatch, by: User) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    require_officer(by, batch.agency)
    if batch.status != Status.PREVIEW:
        raise Refusal(_("Only a file waiting for confirmation can be imported."))
    if batch.rows_accepted == 0:
        raise Refusal(_("No row of this file would change anything: nothing to import."))
    batch.status, batch.confirmed_by, batch.confirmed_at = Status.IMPORTING, by, timezone.now()
    batch.progress = 0
    batch.save(update_fields=["status", "confirmed_by", "confirmed_at", "progress"])
    from evidence.tasks import write_batch

    transaction.on_commit(lambda: write_batch.enqueue(batch_id=batch.pk))
    return batch


@transaction.atomic
def discard(*, batch: ImportBatch, by: User) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    require_officer(by, batch.agency)
    if batch.status not in (Status.PREVIEW, Status.REFUSED):
        raise Refusal(_("Only a previewed or refused file can be discarded."))
    batch.status = Status.DISCARDED
    batch.save(update_fields=["status"])
    BatchFile.objects.filter(batch=batch).delete()
    return batch


# --- Checking and writing, in the worker ----------------------------------------------------


@dataclass
class Scan:
    """What a pass over the file found."""

    total: int = 0
    accepted: int = 0
    unchanged: int = 0
    refused_count: int = 0
    refused: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    ignored: list = field(default_factory=list)


@dataclass
class _Context:
    """What rows are checked against: today, and the agency's registry as it stands."""

    today: datetime.date
    current: dict  # (scheme, tax_id) -> ((name, sector, region, size), batch id)
    replaces_id: int | None


def _context(batch: ImportBatch) -> _Context:
    current = {}
    entries = RegistryFirm.objects.filter(agency_id=batch.agency_id, is_current=True)
    if batch.kind == Kind.FIRMS:
        for scheme, tax_id, *values, batch_id in entries.values_list(
            "scheme", "tax_id", "name", "sector", "region", "size", "batch_id"
        ).iterator(chunk_size=CHUNK):
            current[(scheme, tax_id)] = (tuple(values), batch_id)
    else:
        # A replaced firms file's entries stay current until its replacement is written.
        for key in entries.values_list("scheme", "tax_id").iterator(chunk_size=CHUNK):
            current[key] = None
    return _Context(timezone.localdate(), current, batch.replaces_id)


def _records(batch: ImportBatch, scan: Scan, context: _Context) -> Iterator[tuple]:
    """Each accepted row as a tuple ready to write; refusals and totals go into `scan`."""
    content = bytes(BatchFile.objects.get(batch=batch).content)
    table = files.read_table(content, batch.file_name)
    shape = rows.layout(batch.kind, table.header)
    scan.ignored = shape.ignored
    seen: dict[tuple, int] = {}
    check = {Kind.FIRMS: _firm_row, Kind.CUSTOMS: _customs_row, Kind.PARTICIPANTS: _start_row}
    for number, raw in table.rows:
        scan.total += 1
        cells: dict[str, str] = {}
        try:
            cells = rows.cells_of(shape, raw)
            key = rows.firm_key(cells)
            if batch.kind != Kind.CUSTOMS:
                _once(seen, key, number)
            record = check[batch.kind](key, cells, context, scan)
        except RowRefused as refusal:
            scan.refused_count += 1
            if len(scan.refused) < KEPT:
                value = cells.get(refusal.column, "")[:100]
                scan.refused.append([number, refusal.column, value, *refusal.stored()])
            continue
        if record is None:
            scan.unchanged += 1
            continue
        scan.accepted += 1
        yield record


def _once(seen: dict, key: tuple, number: int) -> None:
    if key in seen:
        raise RowRefused("tax_id", _("The same firm is also on row %(row)d."), {"row": seen[key]})
    seen[key] = number


def _firm_row(key: tuple, cells: dict, context: _Context, scan: Scan) -> tuple | None:
    values = rows.firm(cells)
    entry = (values["name"], values["sector"], values["region"], values["size"])
    known = context.current.get(key)
    if known is not None and known[0] == entry and known[1] != context.replaces_id:
        return None
    return (*key, *entry)


def _registered(key: tuple, context: _Context) -> None:
    if key not in context.current:
        raise RowRefused(
            "tax_id",
            _("No firm with this tax id in your registry: import it in a firms file first."),
        )


def _customs_row(key: tuple, cells: dict, context: _Context, scan: Scan) -> tuple:
    _registered(key, context)
    year, month = rows.period(cells, "period", context.today)
    code, country, fob = rows.tariff_code(cells), rows.destination(cells), rows.fob_usd(cells)
    totals = scan.totals.setdefault(str(year), {"rows": 0, "firms": set(), "fob_usd": Decimal(0)})
    totals["rows"] += 1
    totals["firms"].add(key)
    totals["fob_usd"] += fob
    return (*key, year, month, code, code[:6], country, fob)


def _start_row(key: tuple, cells: dict, context: _Context, scan: Scan) -> tuple:
    _registered(key, context)
    year, month = rows.period(cells, "start_period", context.today)
    totals = scan.totals.setdefault(str(year), {"rows": 0, "firms": set()})
    totals["rows"] += 1
    totals["firms"].add(key)
    return (*key, year, month)


def _stored_totals(totals: dict) -> dict:
    return {
        year: {
            name: len(value)
            if isinstance(value, set)
            else str(value)
            if isinstance(value, Decimal)
            else value
            for name, value in entry.items()
        }
        for year, entry in sorted(totals.items())
    }


def _set_progress(batch_id: int, done: int) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(progress=done)


def check(batch_id: int) -> ImportBatch:
    """Read and check every row; record the preview. Writes nothing but the batch's row."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != Status.CHECKING:
        return batch
    scan = Scan()
    try:
        for _record in _records(batch, scan, _context(batch)):
            if scan.total % CHUNK == 0:
                _set_progress(batch.pk, scan.total)
    except FileRefused as refusal:
        return _refuse(batch, refusal.stored())
    batch.rows_total, batch.rows_accepted = scan.total, scan.accepted
    batch.rows_refused, batch.rows_unchanged = scan.refused_count, scan.unchanged
    batch.refused, batch.totals = scan.refused, _stored_totals(scan.totals)
    batch.ignored_columns, batch.progress = scan.ignored, scan.total
    if scan.total == 0:
        return _refuse(batch, [_("The file has a header but no rows."), {}])
    batch.status = Status.PREVIEW
    batch.save()
    return batch


def _refuse(batch: ImportBatch, problem: list) -> ImportBatch:
    batch.status, batch.problem = Status.REFUSED, problem
    batch.save()
    BatchFile.objects.filter(batch=batch).delete()
    return batch


_MODELS = {
    Kind.FIRMS: RegistryFirm,
    Kind.CUSTOMS: CustomsRecord,
    Kind.PARTICIPANTS: PastParticipant,
}


# Columns after agency and batch, in the order of the records _records yields; firms are
# staged as not current. Rows go in by executemany: model instances cost four times as much.
_COLUMNS = {
    Kind.FIRMS: ["scheme", "tax_id", "name", "sector", "region", "size", "is_current"],
    Kind.CUSTOMS: [
        "scheme",
        "tax_id",
        "year",
        "month",
        "tariff_code",
        "hs6",
        "destination",
        "fob_usd",
    ],
    Kind.PARTICIPANTS: ["scheme", "tax_id", "start_year", "start_month"],
}


def _insert(batch: ImportBatch, records: list[tuple]) -> None:
    model, columns = _MODELS[batch.kind], ["agency_id", "batch_id", *_COLUMNS[batch.kind]]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    extra = (False,) if batch.kind == Kind.FIRMS else ()
    # One transaction per chunk: in autocommit, SQLite would sync the disk once per row.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            sql, [(batch.agency_id, batch.pk, *record, *extra) for record in records]
        )


def write(batch_id: int) -> ImportBatch:
    """Stage every accepted row, then make the batch count, all in one step; or nothing."""
    batch = ImportBatch.objects.select_related("replaces").get(pk=batch_id)
    if batch.status != Status.IMPORTING:
        return batch
    scan = Scan()
    try:
        pending = []
        for record in _records(batch, scan, _context(batch)):
            pending.append(record)
            if len(pending) >= CHUNK:
                _insert(batch, pending)
                pending = []
                _set_progress(batch.pk, scan.total)
        _insert(batch, pending)
        if (scan.accepted, scan.refused_count) != (batch.rows_accepted, batch.rows_refused):
            raise FileRefused(
                _("The registry changed since the preview; upload the file again to check it.")
            )
        _publish(batch, scan.accepted)
    except Refusal as refusal:
        return _fail(batch, refusal.stored())
    except Exception:
        _fail(batch, [_("The import failed; nothing of it was written. Try again later."), {}])
        raise
    batch.refresh_from_db()
    return batch


@transaction.atomic
def _publish(batch: ImportBatch, written: int) -> None:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.replaces_id:
        old = ImportBatch.objects.select_for_update().get(pk=batch.replaces_id)
        if old.status != Status.IMPORTED:
            raise Refusal(_("The file this one replaces is no longer imported."))
        if batch.kind == Kind.FIRMS:
            _refuse_orphans(old, adding=batch)
        old.status = Status.REPLACED
        old.save(update_fields=["status"])
    batch.status, batch.imported_at = Status.IMPORTED, timezone.now()
    batch.rows_written, batch.progress = written, batch.rows_total
    batch.save(update_fields=["status", "imported_at", "rows_written", "progress"])
    BatchFile.objects.filter(batch=batch).delete()
    if batch.kind == Kind.FIRMS:
        _refresh_current(batch.agency_id, [batch.pk, batch.replaces_id])


def _fail(batch: ImportBatch, problem: list) -> ImportBatch:
    with transaction.atomic():
        _MODELS[batch.kind].objects.filter(batch_id=batch.pk).delete()
        ImportBatch.objects.filter(pk=batch.pk).update(status=Status.FAILED, problem=problem)
        BatchFile.objects.filter(batch_id=batch.pk).delete()
    batch.refresh_from_db()
    return batch


# --- Rolling back ---------------------------------------------------------------------------


def _same_firm(queryset) -> Q:
    return Exists(queryset.filter(scheme=OuterRef("scheme"), tax_id=OuterRef("tax_id")))


def _refresh_current(agency_id: int, batch_ids: list) -> None:
    """The newest imported entry of each firm these batches hold becomes the current one."""
    entries = RegistryFirm.objects.filter(agency_id=agency_id)
    touched = entries.filter(
        _same_firm(RegistryFirm.objects.filter(batch_id__in=[b for b in batch_ids if b]))
    )
    touched.filter(is_current=True).update(is_current=False)
    newest = entries.filter(
        batch__status=Status.IMPORTED, scheme=OuterRef("scheme"), tax_id=OuterRef("tax_id")
    ).order_by("-batch_id")
    touched.filter(batch__status=Status.IMPORTED, pk=Subquery(newest.values("pk")[:1])).update(
        is_current=True
    )


def _refuse_orphans(leaving: ImportBatch, *, adding: ImportBatch | None = None) -> None:
    """Firms only `leaving` registers must not be left with customs records or participation."""
    staying = Q(batch__status=Status.IMPORTED) & ~Q(batch=leaving)
    if adding is not None:
        staying |= Q(batch=adding)
    elif leaving.replaces_id:
        staying |= Q(batch_id=leaving.replaces_id)
    others = RegistryFirm.objects.filter(staying, agency_id=leaving.agency_id)
    alone = leaving.firms.exclude(_same_firm(others))
    active = {"agency_id": leaving.agency_id, "batch__status": Status.IMPORTED}
    used = alone.filter(
        _same_firm(CustomsRecord.objects.filter(**active))
        | _same_firm(PastParticipant.objects.filter(**active))
    ).count()
    if used:
        raise Refusal(
            _(
                "%(count)d firms only this file registers have customs records or participation "
                "imported: roll those files back first."
            ),
            {"count": used},
        )


@transaction.atomic
def rollback(*, batch: ImportBatch, by: User) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    require_officer(by, batch.agency)
    if batch.status != Status.IMPORTED:
        raise Refusal(_("Only an imported file can be rolled back."))
    if batch.kind == Kind.FIRMS:
        _refuse_orphans(batch)
    batch.status, batch.rolled_back_by, batch.rolled_back_at = (
        Status.ROLLED_BACK,
        by,
        timezone.now(),
    )
    batch.save(update_fields=["status", "rolled_back_by", "rolled_back_at"])
    if batch.replaces_id:
        ImportBatch.objects.filter(pk=batch.replaces_id).update(status=Status.IMPORTED)
    if batch.kind == Kind.FIRMS:
        _refresh_current(batch.agency_id, [batch.pk, batch.replaces_id])
    _MODELS[batch.kind].objects.filter(batch=batch).delete()
    return batch
