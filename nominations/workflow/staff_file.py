"""Reading an HR export (CSV or XLSX) into rows of name, e-mail, department and role.

Only reads: what the rows mean is ``workflow/staff_import.py``. Column headings are matched
loosely (English or Norwegian, any case, "E-mail"/"Email"/"E-post"), so an export can be
uploaded as HR produced it. A file that cannot be read is one :class:`StaffFileError`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _

MAX_ROWS = 5000

# Normalised heading (lower case, no spaces, dashes or underscores) -> field.
HEADINGS = {
    "name": "name",
    "fullname": "name",
    "navn": "name",
    "fulltnavn": "name",
    "email": "email",
    "emailaddress": "email",
    "mail": "email",
    "epost": "email",
    "epostadresse": "email",
    "department": "department",
    "dept": "department",
    "avdeling": "department",
    "role": "role",
    "roles": "role",
    "rolle": "role",
    "roller": "role",
}
REQUIRED = ("name", "email")
# What the refusal names when required columns are missing (whole phrases, for translation).
_MISSING = {
    ("name",): lambda: _("name"),
    ("email",): lambda: _("e-mail"),
    ("name", "email"): lambda: _("name and e-mail"),
}


class StaffFileError(ValueError):
    """The file as a whole cannot be read (wrong type, no heading row, nothing in it)."""


@dataclass(frozen=True)
class RawRow:
    line: int  # the row number as the spreadsheet shows it (the heading is row 1 or later)
    name: str
    email: str
    department: str
    role: str


def read_staff_file(filename: str, content: bytes) -> list[RawRow]:
    lowered = (filename or "").lower()
    if lowered.endswith(".csv") or lowered.endswith(".txt"):
        table = _csv_rows(content)
    elif lowered.endswith(".xlsx"):
        table = _xlsx_rows(content)
    else:
        raise StaffFileError(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."))
    return _rows(table)


def _csv_rows(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return [(number, row) for number, row in enumerate(reader, start=1)]


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise StaffFileError(_("This file is not an Excel workbook that can be read.")) from error
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, ["" if value is None else str(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _heading_key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _rows(table: list[tuple[int, list[str]]]) -> list[RawRow]:
    filled = [(number, cells) for number, cells in table if any(c.strip() for c in cells)]
    if not filled:
        raise StaffFileError(_("The file is empty."))
    _number, heading = filled[0]
    columns: dict[str, int] = {}
    for index, cell in enumerate(heading):
        field = HEADINGS.get(_heading_key(cell))
        if field and field not in columns:
            columns[field] = index
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise StaffFileError(
            _(
                "The first row must name the columns; found no column for %(missing)s "
                "(expected headings: Name, E-mail, Department, Role).",
                missing=_MISSING[tuple(missing)](),
            )
        )
    rows = filled[1:]
    if not rows:
        raise StaffFileError(_("The file has a heading row but no people."))
    if len(rows) > MAX_ROWS:
        raise StaffFileError(
            _(
                "The file has %(rows)d rows; at most %(most)d at a time.",
                rows=len(rows),
                most=MAX_ROWS,
            )
        )

    def cell(cells: list[str], field: str) -> str:
        index = columns.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    return [
        RawRow(
            line=number,
            name=cell(cells, "name"),
            email=cell(cells, "email"),
            department=cell(cells, "department"),
            role=cell(cells, "role"),
        )
        for number, cells in rows
    ]
