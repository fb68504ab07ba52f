"""Supporting documents: PDF only, size-limited, under random names, with SHA-256.

Two back-ends keep the bytes, chosen by ``DOCUMENT_STORAGE``:

- ``"local"`` (the default): files in ``UPLOAD_FOLDER``, outside the web root; one host only
  (:mod:`nominations.storage.local`).
- ``"database"``: chunks in the database every host shares (:mod:`.database`).

Whether a file is a PDF, and whether it is small enough, is decided here, once, for both: by
its first bytes (``%PDF-``), never by its name or the type the browser declared. Stored bytes
follow the transaction: what :func:`store_pdf` writes is gone again if the transaction does not
commit, and what :func:`delete_stored` removes goes only once it commits.

Reads look in the configured back-end first, then in the other one, so a document stays
readable while ``flask --app nominations documents move`` carries it across.

The workflow (``nominations.workflow.nominations.documents``) decides which documents a
nomination may have; this package only stores, finds, sends and deletes the bytes.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from flask import Response, current_app
from flask_babel import gettext

from nominations.models import Attachment
from nominations.storage.base import CHUNK_BYTES, STORED_NAME_RE, Backend, checked_name
from nominations.storage.database import DatabaseStorage
from nominations.storage.local import LocalStorage, path_for
from nominations.workflow.errors import WorkflowError

__all__ = [
    "BACKENDS",
    "CHUNK_BYTES",
    "STORED_NAME_RE",
    "Backend",
    "FileRefused",
    "StoredFile",
    "backend",
    "backends",
    "checked_name",
    "delete_stored",
    "display_name",
    "download",
    "download_name",
    "exists",
    "human_size",
    "path_for",
    "read_chunks",
    "sha256_of",
    "store_pdf",
    "verify",
]

PDF_SIGNATURE = b"%PDF-"
BACKENDS: dict[str, Backend] = {"local": LocalStorage(), "database": DatabaseStorage()}


class FileRefused(WorkflowError):
    """A document was not stored: not a PDF, empty, or too large."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    sha256: str
    size_bytes: int
    original_name: str


def backend(name: str | None = None) -> Backend:
    """The back-end called ``name``, by default the configured one (DOCUMENT_STORAGE)."""
    name = name or current_app.config["DOCUMENT_STORAGE"]
    try:
        return BACKENDS[name]
    except KeyError:
        raise RuntimeError(
            f"DOCUMENT_STORAGE is {name!r}; use one of {', '.join(sorted(BACKENDS))}"
        ) from None


def backends() -> list[Backend]:
    """Every back-end, the configured one first."""
    configured = backend()
    return [configured, *(b for b in BACKENDS.values() if b is not configured)]


def human_size(size: int) -> str:
    """'10 MB', '1.5 MB', '900 KB', '12 bytes' (1 MB = 1024 * 1024 bytes)."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.1f}".rstrip("0").rstrip(".") + " MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} byte{'s' if size != 1 else ''}"


def display_name(original_name: str) -> str:
    """A file name fit to show and to keep: no path, no control characters, at most 255."""
    name = unicodedata.normalize("NFC", original_name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return (name or "document.pdf")[:255]


def download_name(attachment: Attachment) -> str:
    """The name a download is saved under: the uploaded name (no path, no control
    characters; Flask encodes non-ASCII letters), always ending in .pdf."""
    name = display_name(attachment.original_name)
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


class _CheckedPdf:
    """The chunks of an upload, read as the back-end asks for them, checked on the way: the
    signature, the size limit and emptiness (FileRefused), and the SHA-256 and size."""

    def __init__(self, stream: BinaryIO, name: str, field: str, label: str) -> None:
        self.stream, self.name, self.field, self.label = stream, name, field, label
        self.max_bytes = int(current_app.config["MAX_FILE_BYTES"])
        self.digest = hashlib.sha256()
        self.size = 0

    def refused(self, problem: str) -> FileRefused:
        names = {"name": self.name, "document": self.label}
        if problem == "too-large":
            message = gettext(
                "“%(name)s” is larger than %(size)s, the limit for each document. Make the "
                "%(document)s smaller and upload it again.",
                size=human_size(self.max_bytes),
                **names,
            )
        elif problem == "empty":
            message = gettext("“%(name)s” is empty. Choose the %(document)s again.", **names)
        else:
            message = gettext(
                "“%(name)s” is not a PDF document. Upload the %(document)s as a PDF file.", **names
            )
        return FileRefused(message, self.field)

    def __iter__(self) -> Iterator[bytes]:
        head = b""
        while chunk := self.stream.read(CHUNK_BYTES):
            if len(head) < len(PDF_SIGNATURE):
                head += chunk[: len(PDF_SIGNATURE) - len(head)]
                if len(head) >= len(PDF_SIGNATURE) and head != PDF_SIGNATURE:
                    raise self.refused("not-pdf")
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise self.refused("too-large")
            self.digest.update(chunk)
            yield chunk
        if self.size == 0:
            raise self.refused("empty")
        if head != PDF_SIGNATURE:
            raise self.refused("not-pdf")


def store_pdf(stream: BinaryIO, original_name: str, *, field: str, label: str) -> StoredFile:
    """Store an uploaded stream under a new random name in the configured back-end, checking
    the signature and the size as it streams in.

    Raises FileRefused (with ``field`` for the form) and leaves nothing behind when refused.
    """
    checked = _CheckedPdf(stream, display_name(original_name), field, label)
    stored_name = secrets.token_hex(16) + ".pdf"
    target = backend()
    try:
        target.write(stored_name, checked)
    except FileExistsError:  # not ours to delete (a clash of 128 random bits)
        raise
    except BaseException:
        target.delete(stored_name)
        raise
    return StoredFile(stored_name, checked.digest.hexdigest(), checked.size, checked.name)


def copy_stored(stored_name: str) -> str:
    """A copy of a stored document under a new random name, in the configured back-end
    (whichever back-end holds the original); returns the new name. FileNotFoundError when
    the original is missing; like an upload, nothing is left behind when the copy fails, and
    the copy goes if the transaction does not commit."""
    chunks = read_chunks(stored_name)
    new_name = secrets.token_hex(16) + ".pdf"
    target = backend()
    try:
        target.write(new_name, chunks)
    except FileExistsError:
        raise
    except BaseException:
        target.delete(new_name)
        raise
    return new_name


def _holder(stored_name: str) -> Backend | None:
    """The back-end that has the document (the configured one first); None when none has
    it, or the name is not one this package makes."""
    try:
        checked_name(stored_name)
    except ValueError:
        return None
    return next((b for b in backends() if b.exists(stored_name)), None)


def exists(stored_name: str) -> bool:
    return _holder(stored_name) is not None


def read_chunks(stored_name: str) -> Iterator[bytes]:
    """The stored bytes, a chunk at a time; FileNotFoundError when no back-end has them."""
    holder = _holder(stored_name)
    if holder is None:
        raise FileNotFoundError(stored_name)
    return holder.chunks(stored_name)


def sha256_of(stored_name: str) -> str | None:
    """The SHA-256 of the stored bytes; None when they are missing."""
    digest = hashlib.sha256()
    try:
        for chunk in read_chunks(stored_name):
            digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def verify(attachment: Attachment) -> bool:
    """Whether the stored bytes still have the SHA-256 recorded when they were uploaded."""
    return sha256_of(attachment.stored_name) == attachment.sha256


def download(attachment: Attachment) -> Response | None:
    """A streamed download of the document (never inline), or None when it is missing."""
    holder = _holder(attachment.stored_name)
    if holder is None:
        return None
    return holder.download(
        attachment.stored_name,
        attachment.size_bytes,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=download_name(attachment),
        max_age=0,
    )


def delete_stored(stored_name: str) -> None:
    """Delete a stored document once the transaction commits, from whichever back-end has it
    (at once when it was written in this transaction). Gone already is not an error."""
    try:
        checked_name(stored_name)
    except ValueError:
        current_app.logger.warning("Not deleting %r: not a stored document name", stored_name)
        return
    for each in backends():
        each.discard(stored_name)
