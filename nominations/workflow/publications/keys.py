"""What makes two entries of publication lists the same publication: the same DOI, else the
same title (normalised: case, accents, punctuation, LaTeX braces and spacing do not count) in
the same year."""

from __future__ import annotations

import re
import unicodedata

DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")
TITLE_KEY_LENGTH = 500


def normalise_doi(value: str) -> str:
    """The DOI in lower case without its resolver prefix ("" for none); a DOI is case-blind."""
    value = DOI_PREFIXES.sub("", (value or "").strip()).strip()
    return value.lower()


def valid_doi(doi: str) -> bool:
    return bool(DOI_SHAPE.match(doi)) and len(doi) <= 255


def title_key(title: str) -> str:
    """The title reduced to lower-case letters and digits separated by single spaces, accents
    removed ("Å" and "A" alike: an export may have lost them)."""
    decomposed = unicodedata.normalize("NFKD", title or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = re.sub(r"[\W_]+", " ", plain).split()
    return " ".join(words)[:TITLE_KEY_LENGTH]


def match_key(doi: str, title: str, year: int) -> str:
    """The unique key of a publication row: its DOI, else its title key and year."""
    if doi:
        return f"doi:{doi}"[:600]
    return f"title:{title_key(title)}|{year}"[:600]
