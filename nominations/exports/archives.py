"""ZIP archives of supporting documents.

Storage convention: an attachment's file is ``<UPLOAD_FOLDER>/<stored_name>`` (``stored_name``
may contain sub-folders but never leaves UPLOAD_FOLDER). The archive checks each file against
its SHA-256 and lists what is missing or damaged in ``MISSING.txt`` instead of failing.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from flask import current_app

from nominations.models import Attachment, Nomination

# Kept in memory up to this size, then spilled to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def attachment_path(attachment: Attachment) -> Path | None:
    """Where the file of ``attachment`` is kept; None when the name would leave the folder."""
    root = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    path = (root / attachment.stored_name).resolve()
    if path == root or root not in path.parents:
        return None
    return path


def safe_name(name: str, fallback: str = "file") -> str:
    """A file or folder name that is safe in a ZIP on every system (keeps æ, ø, å)."""
    cleaned = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    return cleaned[:120] or fallback


def nomination_folder(nomination: Nomination) -> str:
    return safe_name(f"{nomination.id} {nomination.nominee_name}", str(nomination.id))


def attachment_name(attachment: Attachment) -> str:
    kind = attachment.kind.replace("_", " ")
    return safe_name(f"{kind} - {attachment.original_name}", f"{attachment.id}.pdf")


def _unique(name: str, used: set[str]) -> str:
    candidate, counter = name, 2
    stem, dot, suffix = name.rpartition(".")
    while candidate.lower() in used:
        candidate = f"{stem} ({counter}).{suffix}" if dot else f"{name} ({counter})"
        counter += 1
    used.add(candidate.lower())
    return candidate


def _matches(path: Path, sha256: str) -> bool:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest() == sha256


def build_zip(nominations: Iterable[Nomination], *, folders: bool):
    """A ZIP (a file object at position 0) of the attachments of ``nominations``; with
    ``folders`` each nomination gets its own folder."""
    # Handed to the response, which closes it once sent.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    problems: list[str] = []
    used: set[str] = set()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for nomination in nominations:
            prefix = nomination_folder(nomination) + "/" if folders else ""
            for attachment in nomination.attachments:
                arcname = _unique(prefix + attachment_name(attachment), used)
                path = attachment_path(attachment)
                if path is None or not path.is_file():
                    problems.append(f"{arcname}: the file is missing on the server")
                    continue
                if not _matches(path, attachment.sha256):
                    problems.append(f"{arcname}: the file does not match its checksum")
                    continue
                archive.write(path, arcname)
        if problems:
            archive.writestr(
                "MISSING.txt",
                "These documents could not be included as uploaded:\n\n"
                + "\n".join(problems)
                + "\n",
            )
    spool.seek(0)
    return spool
