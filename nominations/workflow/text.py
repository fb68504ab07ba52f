"""Text as the workflow stores it.

People paste text from anywhere; what is stored must be printable, searchable and safe in
every output (HTML, CSV, XLSX and the Atom feed, where control characters are not allowed,
and PostgreSQL, whose text columns refuse NUL). ``clean`` is applied by every workflow
function to the text it stores; length limits are checked on the cleaned text.
"""

from __future__ import annotations

import unicodedata


def clean(value: str | None, *, multiline: bool = False) -> str:
    """NFC; control characters (NUL included) and lone surrogates become spaces, except line
    breaks and tabs in multi-line text (CR LF and CR become LF); trimmed."""
    text = unicodedata.normalize("NFC", value or "")
    keep = "\n\t" if multiline else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = "".join(
        ch if ch in keep or unicodedata.category(ch) not in ("Cc", "Cs") else " " for ch in text
    )
    return cleaned.strip()


def clean_line(value: str | None) -> str:
    """One line of text: ``clean``, with every run of white space made one space."""
    return " ".join(clean(value).split())
