"""Supporting documents on disk: PDF only, size-limited, under random names, with SHA-256.

Files live in ``UPLOAD_FOLDER`` (default ``instance/uploads``), outside the web root; they are
only ever sent by a view that checks who may see the nomination. Whether a file is a PDF is
decided by its first bytes (``%PDF-``), never by its name or the type the browser declared.

The workflow (``nominations.workflow.nominations.documents``) decides which documents a
nomination may have; this module only stores, finds and deletes the bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from nominations.models import Attachment
from nominations.workflow.errors import WorkflowError

PDF_SIGNATURE = b"%PDF-"
CHUNK = 64 * 1024
STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}\.pdf$")


class FileRefused(WorkflowError):
    """A document was not stored: not a PDF, empty, or too large."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    sha256: str
    size_bytes: int
    original_name: str


def human_size(size: int) -> str:
    """'10 MB', '1.5 MB', '900 KB', '12 bytes' (1 MB = 1024 * 1024 bytes)."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.1f}".rstrip("0").rstrip(".") + " MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} byte{'s' if size != 1 else ''}"


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_for(stored_name: str) -> Path:
    """Where a stored file lives; refuses any name this module did not make."""
    if not STORED_NAME_RE.fullmatch(stored_name or ""):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return upload_folder() / stored_name


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


def store_pdf(stream: BinaryIO, original_name: str, *, field: str, label: str) -> StoredFile:
    """Copy an uploaded stream to a new random name, checking the signature and the size.

    Raises FileRefused (with ``field`` for the form) and leaves nothing behind when refused.
    """
    max_bytes = int(current_app.config["MAX_FILE_BYTES"])
    name = display_name(original_name)
    stored_name = secrets.token_hex(16) + ".pdf"
    target = path_for(stored_name)
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with open(target, "xb") as out:
            while chunk := stream.read(CHUNK):
                if len(head) < len(PDF_SIGNATURE):
                    head += chunk[: len(PDF_SIGNATURE) - len(head)]
                    if len(head) >= len(PDF_SIGNATURE) and head != PDF_SIGNATURE:
                        raise FileRefused(
                            f"“{name}” is not a PDF document. Upload the {label} as a PDF file.",
                            field,
                        )
                size += len(chunk)
                if size > max_bytes:
                    raise FileRefused(
                        f"“{name}” is larger than {human_size(max_bytes)}, the limit for each "
                        f"document. Make the {label} smaller and upload it again.",
                        field,
                    )
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise FileRefused(f"“{name}” is empty. Choose the {label} again.", field)
        if head != PDF_SIGNATURE:
            raise FileRefused(
                f"“{name}” is not a PDF document. Upload the {label} as a PDF file.", field
            )
    except BaseException:
        delete_stored(stored_name)
        raise
    return StoredFile(stored_name, digest.hexdigest(), size, name)


def delete_stored(stored_name: str) -> None:
    """Remove a stored file; a file already gone is not an error."""
    try:
        os.unlink(path_for(stored_name))
    except FileNotFoundError:
        pass
    except OSError as error:  # keep going: an orphan file is harmless, a 500 is not
        current_app.logger.warning("Could not delete stored file %s: %s", stored_name, error)


def stored_files_older_than(cutoff: datetime) -> list[str]:
    """The names of stored files (names this module makes) last written before ``cutoff``."""
    folder = upload_folder()
    names = []
    for entry in os.scandir(folder):
        if not STORED_NAME_RE.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            written = datetime.fromtimestamp(entry.stat(follow_symlinks=False).st_mtime, UTC)
        except FileNotFoundError:  # deleted meanwhile
            continue
        if written < cutoff:
            names.append(entry.name)
    return sorted(names)


def open_attachment(attachment: Attachment) -> BinaryIO:
    """The stored bytes of an attachment, opened for reading (for exports and downloads)."""
    return open(path_for(attachment.stored_name), "rb")


def verify(attachment: Attachment) -> bool:
    """Whether the file on disk still has the SHA-256 recorded when it was uploaded."""
    digest = hashlib.sha256()
    try:
        with open_attachment(attachment) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return False
    return digest.hexdigest() == attachment.sha256
