"""What every storage back-end offers, and the names they share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Protocol

from flask import Response

# The piece a back-end reads, writes or sends at a time: the most of a document in memory.
CHUNK_BYTES = 256 * 1024
STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}\.pdf$")


def checked_name(stored_name: str) -> str:
    """``stored_name`` when it is a name this package makes (32 hex digits and .pdf), else
    ValueError: whatever an attachment row says, it never points elsewhere."""
    if not STORED_NAME_RE.fullmatch(stored_name or ""):
        raise ValueError(f"not a stored document name: {stored_name!r}")
    return stored_name


class Backend(Protocol):
    """Where the bytes of documents are kept. Writes and deletions follow the session's
    transaction: a document written is gone again if the transaction does not commit, one
    discarded is gone only once it commits."""

    name: str

    def write(self, stored_name: str, chunks: Iterable[bytes]) -> None:
        """Store a new document from ``chunks`` (consumed one at a time; an exception they
        raise propagates, and the caller deletes what was written)."""

    def exists(self, stored_name: str) -> bool: ...

    def chunks(self, stored_name: str) -> Iterator[bytes]:
        """The bytes, a chunk at a time, as the current transaction sees them;
        FileNotFoundError when the document is not here."""

    def delete(self, stored_name: str) -> None:
        """Remove now (for the database: in the current transaction); gone already is fine."""

    def discard(self, stored_name: str) -> None:
        """Remove once the current transaction commits."""

    def unnamed_before(self, cutoff: datetime) -> list[str]:
        """Documents no attachment names that were stored before ``cutoff`` (orphans)."""

    def download(self, stored_name: str, size: int, **send_file_options) -> Response:
        """A streamed response with the document (Flask's send_file options)."""
