"""Text as the workflow stores it.

People paste text from anywhere; what is stored must be printable, searchable and safe in
every output (HTML, CSV, XLSX and the Atom feed, where control characters are not allowed,
and PostgreSQL, whose text columns refuse NUL). ``clean`` is applied by every workflow
function to the text it stores; length limits are checked on the cleaned text.
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from nominations.workflow.errors import WorkflowError

# Characters that change the direction of the text after them (embeddings, overrides,
# isolates, marks) or take no room at all: in a name they only serve to disguise it
# ("Ola\u202eNordmann" shows reversed; "Ola\u200bNordmann" looks like "OlaNordmann" and is not).
DISGUISING = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u200e\u200f\u061c"  # direction marks
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters
)
# The refusal per kind of name (``label``), each a whole sentence in the reader's language.
DISGUISED = {
    "name": _l(
        "The name contains invisible or text-direction characters (%(characters)s). "
        "Type it again without them."
    ),
    "position": _l(
        "The position contains invisible or text-direction characters (%(characters)s). "
        "Type it again without them."
    ),
    "organiser": _l(
        "The organiser contains invisible or text-direction characters (%(characters)s). "
        "Type it again without them."
    ),
    "funder": _l(
        "The funder contains invisible or text-direction characters (%(characters)s). "
        "Type it again without them."
    ),
    "department name": _l(
        "The department name contains invisible or text-direction characters "
        "(%(characters)s). Type it again without them."
    ),
}


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


def refuse_disguised(name: str, field_name: str, label: str = "name") -> str:
    """``name`` unchanged, or a WorkflowError at ``field_name`` if it holds a character of
    ``DISGUISING`` (names are refused, not cleaned: a silently altered name is a different
    name)."""
    found = sorted({f"U+{ord(ch):04X}" for ch in name if ch in DISGUISING})
    if found:
        characters = ", ".join(found)
        message = DISGUISED.get(label)
        raise WorkflowError(
            str(message) % {"characters": characters}
            if message is not None
            else gettext(
                "The %(label)s contains invisible or text-direction characters "
                "(%(characters)s). Type it again without them.",
                label=label,
                characters=characters,
            ),
            field_name,
        )
    return name
