"""Reading a publication list: CSV, BibTeX or RIS (the research registry's and ORCID's
exports), into entries (title, year, DOI) and a clear problem for each entry that cannot be
used, with its line in the file.

BibTeX is read by bibtexparser (v2), RIS by rispy, CSV by the standard library. The format is
told by the file name's ending, else by the first non-blank line ("@" BibTeX, "TY  -" RIS).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import bibtexparser
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from flask_babel import gettext as _

from nominations.workflow.errors import WorkflowError
from nominations.workflow.publications.keys import normalise_doi, valid_doi

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 5000
MAX_TITLE = 2000
YEARS = (1900, 2200)
FORMATS = ("csv", "bibtex", "ris")
CSV_COLUMNS = {
    "title": ("title", "tittel", "publication title"),
    "year": ("year", "år", "publication year", "publicationyear", "pubyear"),
    "doi": ("doi",),
}
RIS_RECORD_START = re.compile(r"^TY  - ")
RIS_RECORD_END = re.compile(r"^ER  -")


class PublicationFileError(WorkflowError):
    """The file as a whole cannot be read (its field is the upload's)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


@dataclass(frozen=True)
class Entry:
    line: int
    title: str
    year: int
    doi: str = ""


@dataclass(frozen=True)
class EntryProblem:
    line: int
    message: str
    text: str = ""  # what the entry says, to find it in the file


@dataclass
class ParsedFile:
    format: str
    entries: list[Entry] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)


def read_publication_file(filename: str, content: bytes) -> ParsedFile:
    if not content.strip():
        raise PublicationFileError(_("The file is empty."))
    if len(content) > MAX_FILE_BYTES:
        raise PublicationFileError(_("The file is larger than 2 MB; split it into parts."))
    text = _decode(content)
    kind = _format_of(filename, text)
    parsed = {"csv": _read_csv, "bibtex": _read_bibtex, "ris": _read_ris}[kind](text)
    if len(parsed.entries) + len(parsed.problems) > MAX_ENTRIES:
        raise PublicationFileError(
            _("The file has more than %(num)d entries; split it into parts.", num=MAX_ENTRIES)
        )
    if not parsed.entries and not parsed.problems:
        raise PublicationFileError(_("No publications were found in the file."))
    return parsed


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")  # a spreadsheet's export


def _format_of(filename: str, text: str) -> str:
    ending = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if ending in ("bib", "bibtex"):
        return "bibtex"
    if ending in ("ris",):
        return "ris"
    if ending in ("csv", "txt", "tsv"):
        return "csv"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("@"):
        return "bibtex"
    if RIS_RECORD_START.match(first):
        return "ris"
    return "csv"


def _entry(line: int, title: str, year: str, doi: str, found: ParsedFile) -> None:
    """Check one entry's values; add it, or its problem."""
    title = " ".join((title or "").split())
    shown = title[:120]
    if not title:
        found.problems.append(EntryProblem(line, _("The title is missing."), shown))
        return
    if len(title) > MAX_TITLE:
        message = _("The title is longer than %(num)d characters.", num=MAX_TITLE)
        found.problems.append(EntryProblem(line, message, shown))
        return
    match = re.search(r"\b(\d{4})\b", year or "")
    low, high = YEARS
    if match is None or not low <= int(match.group(1)) <= high:
        message = (
            _("The year is missing.")
            if not (year or "").strip()
            else _("“%(year)s” is not a year.", year=year.strip()[:20])
        )
        found.problems.append(EntryProblem(line, message, shown))
        return
    doi = normalise_doi(doi)
    if doi and not valid_doi(doi):
        message = _("“%(doi)s” is not a DOI (they start with 10.).", doi=doi[:60])
        found.problems.append(EntryProblem(line, message, shown))
        return
    found.entries.append(Entry(line, title, int(match.group(1)), doi))


def _read_csv(text: str) -> ParsedFile:
    found = ParsedFile("csv")
    header_line = text.splitlines()[0] if text else ""
    try:
        dialect = csv.Sniffer().sniff(header_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    header = [name.strip().casefold() for name in next(rows, [])]
    columns = {
        key: next((header.index(n) for n in names if n in header), None)
        for key, names in CSV_COLUMNS.items()
    }
    if columns["title"] is None or columns["year"] is None:
        raise PublicationFileError(
            _("The first row must name the columns: Title, Year and (optional) DOI.")
        )

    def cell(row: list[str], key: str) -> str:
        index = columns[key]
        return row[index] if index is not None and index < len(row) else ""

    for number, row in enumerate(rows, start=2):
        if not any(value.strip() for value in row):
            continue
        _entry(number, cell(row, "title"), cell(row, "year"), cell(row, "doi"), found)
    return found


def _read_bibtex(text: str) -> ParsedFile:
    found = ParsedFile("bibtex")
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    for block in library.failed_blocks:
        found.problems.append(
            EntryProblem(
                block.start_line + 1,
                _("This entry could not be read (a brace or quote not closed?)."),
                (block.raw or "").strip().splitlines()[0][:120] if block.raw else "",
            )
        )
    for entry in library.entries:
        values = {k.lower(): str(v.value) for k, v in entry.fields_dict.items()}
        title = values.get("title", "").replace("{", "").replace("}", "")
        year = values.get("year") or values.get("date", "")
        _entry(entry.start_line + 1, title, year, values.get("doi", ""), found)
    found.problems.sort(key=lambda p: p.line)
    return found


def _read_ris(text: str) -> ParsedFile:
    found = ParsedFile("ris")
    record: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if RIS_RECORD_START.match(line):
            if record:
                found.problems.append(EntryProblem(start, _("This record has no end (ER  -).")))
            record, start = [line], number
        elif record:
            record.append(line)
            if RIS_RECORD_END.match(line):
                _ris_record(start, record, found)
                record = []
        elif line.strip():
            found.problems.append(
                EntryProblem(
                    number, _("This line is outside a record (TY  - … ER  -)."), line[:120]
                )
            )
    if record:
        found.problems.append(EntryProblem(start, _("This record has no end (ER  -).")))
    found.problems.sort(key=lambda p: p.line)
    return found


def _ris_record(line: int, lines: list[str], found: ParsedFile) -> None:
    try:
        [values] = rispy.loads("\n".join(lines) + "\n")
    except Exception:  # rispy's own errors are plain exceptions: report the record
        found.problems.append(EntryProblem(line, _("This record could not be read.")))
        return
    title = next(
        (values[k] for k in ("title", "primary_title", "translated_title") if values.get(k)), ""
    )
    year = values.get("year") or values.get("publication_year") or values.get("date") or ""
    doi = values.get("doi") or ""
    _entry(line, str(title), str(year), str(doi), found)
