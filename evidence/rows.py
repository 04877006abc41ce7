"""What each kind of file must hold; every cell checked, giving a value or why it is refused."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_noop as _
from django_countries import countries

from evidence.errors import FileRefused, RowRefused
from evidence.models import ImportBatch
from network import taxids

Kind = ImportBatch.Kind

COLUMNS = {
    Kind.FIRMS: (["tax_id", "id_scheme", "name"], ["sector", "region", "size"]),
    Kind.CUSTOMS: (
        ["tax_id", "id_scheme", "period", "tariff_code", "destination", "fob_usd"],
        [],
    ),
    Kind.PARTICIPANTS: (["tax_id", "id_scheme", "start_period"], []),
}
SIZES = {"micro", "small", "medium", "large"}
# A cell a spreadsheet would run as a formula when the officer opens the refused rows.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
EARLIEST_YEAR = 1950
MAX_FOB = Decimal("1e13")
TEXT_LIMITS = {"name": 200, "sector": 100, "region": 120}


@dataclass(frozen=True)
class Layout:
    """Where each known column is in the file, and the columns we do not use."""

    positions: dict[str, int]
    ignored: list[str]
    width: int


def layout(kind: str, header: list[str]) -> Layout:
    names = [cell.strip().lstrip("\ufeff").lower() for cell in header]
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise FileRefused(_("The column “%(name)s” appears twice."), {"name": name})
        seen.add(name)
    required, optional = COLUMNS[kind]
    missing = [name for name in required if name not in seen]
    if missing:
        raise FileRefused(
            _("Missing columns: %(missing)s. This kind of file needs %(required)s."),
            {"missing": ", ".join(missing), "required": ", ".join(required)},
        )
    known = set(required) | set(optional)
    return Layout(
        positions={name: i for i, name in enumerate(names) if name in known},
        ignored=[name for name in names if name and name not in known],
        width=len(names),
    )


def cells_of(table_layout: Layout, cells: list[str]) -> dict[str, str]:
    extra = cells[table_layout.width :]
    if any(cell.strip() for cell in extra):
        raise RowRefused("", _("The row has more cells than the header has columns."))
    return {
        name: (cells[i].strip() if i < len(cells) else "")
        for name, i in table_layout.positions.items()
    }


def firm_key(cells: dict[str, str]) -> tuple[str, str]:
    """(scheme, normalised tax id), or RowRefused naming the column at fault."""
    try:
        scheme = taxids.parse_scheme(cells["id_scheme"])
    except taxids.InvalidTaxId as error:
        raise RowRefused("id_scheme", error.msgid) from None
    _text(cells, "tax_id", required=True)
    try:
        return scheme, taxids.normalise(scheme=scheme, value=cells["tax_id"])
    except taxids.InvalidTaxId as error:
        raise RowRefused("tax_id", error.msgid) from None


def _text(cells: dict[str, str], column: str, *, required: bool = False) -> str:
    value = cells.get(column, "")
    if required and not value:
        raise RowRefused(column, _("This cell is empty."))
    if value.startswith(FORMULA_START):
        raise RowRefused(column, _("Starts like a spreadsheet formula (=, +, -, @)."))
    limit = TEXT_LIMITS.get(column)
    if limit and len(value) > limit:
        raise RowRefused(column, _("Longer than %(limit)d characters."), {"limit": limit})
    if any(ord(ch) < 32 for ch in value):
        raise RowRefused(column, _("Holds control characters."))
    return value


def firm(cells: dict[str, str]) -> dict:
    size = cells.get("size", "").lower()
    if size and size not in SIZES:
        raise RowRefused("size", _("Use micro, small, medium or large, or leave it empty."))
    return {
        "name": _text(cells, "name", required=True),
        "sector": _text(cells, "sector"),
        "region": _text(cells, "region"),
        "size": size,
    }


def period(cells: dict[str, str], column: str, today: datetime.date) -> tuple[int, int | None]:
    value = cells.get(column, "")
    match = PERIOD.match(value)
    if not match:
        raise RowRefused(column, _("Write the period as YYYY or YYYY-MM."))
    year, month = int(match[1]), int(match[2]) if match[2] else None
    if month is not None and not 1 <= month <= 12:
        raise RowRefused(column, _("The month must be between 01 and 12."))
    if year < EARLIEST_YEAR:
        raise RowRefused(column, _("Before %(year)d."), {"year": EARLIEST_YEAR})
    if (year, month or 1) > (today.year, today.month):
        raise RowRefused(column, _("The period is in the future."))
    return year, month


def tariff_code(cells: dict[str, str]) -> str:
    code = re.sub(r"[.\s]", "", cells.get("tariff_code", ""))
    if not code.isascii() or not code.isdigit():
        raise RowRefused("tariff_code", _("A tariff code has digits only."))
    if not 6 <= len(code) <= 10:
        raise RowRefused(
            "tariff_code",
            _(
                "A tariff code has 6 to 10 digits, the first six the HS product (a leading "
                "zero lost by the spreadsheet?)."
            ),
        )
    if not 1 <= int(code[:2]) <= 97:
        raise RowRefused("tariff_code", _("HS chapters run from 01 to 97."))
    return code


def destination(cells: dict[str, str]) -> str:
    code = cells.get("destination", "").upper()
    alpha2 = countries.alpha2(code) if code.isascii() and code.isalpha() else ""
    if len(code) not in (2, 3) or not alpha2:
        raise RowRefused("destination", _("Not an ISO 3166 country code (two or three letters)."))
    return alpha2


def fob_usd(cells: dict[str, str]) -> Decimal:
    value = cells.get("fob_usd", "").replace(" ", "")
    if "," in value and "." in value:
        raise RowRefused("fob_usd", _("Write the amount without thousands separators."))
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise RowRefused("fob_usd", _("Not a number.")) from None
    if not amount.is_finite():
        raise RowRefused("fob_usd", _("Not a number."))
    if amount < 0:
        raise RowRefused("fob_usd", _("A FOB value cannot be negative."))
    if amount >= MAX_FOB:
        raise RowRefused("fob_usd", _("Implausibly large."))
    return amount.quantize(Decimal("0.01"))
