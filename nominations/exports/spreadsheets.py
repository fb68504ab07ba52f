"""CSV and XLSX writing that never lets a cell typed by a user run as a formula.

A spreadsheet treats a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in some programs,
a tab or carriage return) as a formula; such text gets a leading single quote, in CSV and
XLSX alike, so it shows as typed and never runs (CSV injection, OWASP).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | date | datetime | None


def neutralise(text: str) -> str:
    """``text`` with a leading quote when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def display(value: Cell) -> str:
    """How a cell reads on the page and in CSV."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_value(value: Cell) -> str:
    return neutralise(value) if isinstance(value, str) else display(value)


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads æ, ø and å right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, str):
        # XML cannot hold most control characters; openpyxl refuses them.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


@dataclass(frozen=True)
class Styled:
    """A number shown with its own format, e.g. a tied rank 1 shown as ``=1`` (``'"="0'``):
    the cell stays a number, so the column sorts as numbers."""

    value: int | float
    number_format: str


SheetCell = Cell | Styled


@dataclass
class Sheet:
    """One worksheet: a header row, then ``rows``. ``number_formats`` gives a column (by
    index) its display format; ``wrap`` wraps long text (for sheets of explanations)."""

    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence[SheetCell]]
    number_formats: Mapping[int, str] = field(default_factory=dict)
    wrap: bool = False


_TITLE_UNSAFE = re.compile(r"[\\/*?:\[\]]")
WIDEST = 60


def sheet_title(title: str, used: set[str] | None = None) -> str:
    """A worksheet name Excel accepts: no ``\\ / * ? : [ ]``, at most 31 characters, not
    starting or ending with a quote, unique in the workbook."""
    name = _TITLE_UNSAFE.sub("-", ILLEGAL_CHARACTERS_RE.sub("", title)).strip().strip("'")
    name = name[:31].strip() or _("Sheet")
    used = used if used is not None else set()
    candidate, counter = name, 2
    while candidate.casefold() in used:
        suffix = f" ({counter})"
        candidate, counter = name[: 31 - len(suffix)] + suffix, counter + 1
    used.add(candidate.casefold())
    return candidate


def _write_sheet(worksheet, sheet: Sheet) -> None:
    worksheet.append([_xlsx_value(name) for name in sheet.columns])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    widths = [len(str(name)) for name in sheet.columns]
    for row in sheet.rows:
        values = [value.value if isinstance(value, Styled) else value for value in row]
        worksheet.append([_xlsx_value(value) for value in values])
        for index, cell in enumerate(worksheet[worksheet.max_row]):
            given = row[index]
            # Text is text: never let openpyxl guess a formula from a string.
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if sheet.wrap and len(cell.value) > WIDEST:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            if isinstance(given, Styled):
                cell.number_format = given.number_format
            elif index in sheet.number_formats and isinstance(cell.value, int | float):
                cell.number_format = sheet.number_formats[index]
            length = len(str(cell.value)) if cell.value is not None else 0
            if index < len(widths):
                widths[index] = max(widths[index], min(length, WIDEST))
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width + 2
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = worksheet.dimensions


def to_workbook(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX file with one worksheet per ``Sheet``, in order."""
    workbook = Workbook()
    used: set[str] = set()
    for position, sheet in enumerate(sheets):
        worksheet = workbook.active if position == 0 else workbook.create_sheet()
        worksheet.title = sheet_title(sheet.title, used)
        _write_sheet(worksheet, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_xlsx(title: str, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    return to_workbook([Sheet(title, columns, rows)])
