"""ZIP archives of supporting documents.

The documents come from the storage back-end that holds them (``nominations.storage``), a
chunk at a time. The archive checks each against its SHA-256 and lists what is missing or
damaged in ``MISSING.txt`` instead of failing.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Collection, Iterable

from flask_babel import gettext as _

from nominations import storage
from nominations.models import Attachment, Nomination, Referee
from nominations.timeutil import to_local

# Kept in memory up to this size, then spilled to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(name: str, fallback: str = "file") -> str:
    """A file or folder name that is safe in a ZIP on every system (keeps æ, ø, å)."""
    cleaned = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    return cleaned[:120] or fallback


def nomination_folder(nomination: Nomination) -> str:
    return safe_name(f"{nomination.id} {nomination.nominee_name}", str(nomination.id))


def attachment_name(attachment: Attachment, question: str | None = None) -> str:
    """ "cv - Nora CV.pdf"; a file answer by its question ("Letter from the head - x.pdf")."""
    kind = question or attachment.kind.replace("_", " ")
    return safe_name(f"{kind} - {attachment.original_name}", f"{attachment.id}.pdf")


def _unique(name: str, used: set[str]) -> str:
    candidate, counter = name, 2
    stem, dot, suffix = name.rpartition(".")
    while candidate.lower() in used:
        candidate = f"{stem} ({counter}).{suffix}" if dot else f"{name} ({counter})"
        counter += 1
    used.add(candidate.lower())
    return candidate


def _add(archive: zipfile.ZipFile, arcname: str, attachment: Attachment | Referee) -> None:
    """Stream the stored document into the archive, dated when it was uploaded."""
    entry = zipfile.ZipInfo(arcname, date_time=to_local(attachment.uploaded_at).timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16  # an ordinary file, readable when unpacked
    with archive.open(entry, "w") as out:
        for chunk in storage.read_chunks(attachment.stored_name):
            out.write(chunk)


def letter_name(referee: Referee) -> str:
    """A referee's letter in an archive: named by its referee (the uploaded name is his)."""
    return safe_name(_("letter of reference - %(name)s", name=referee.name) + ".pdf")


def build_zip(
    nominations: Iterable[Nomination],
    *,
    folders: bool,
    labels: dict[int, str] | None = None,
    letters_of: Collection[int] = (),
):
    """A ZIP (a file object at position 0) of the attachments of ``nominations``, and the
    referees' letters of the nominations in ``letters_of`` (those the reader may have: the
    caller asks the rule); with ``folders`` each nomination gets its own folder. ``labels``:
    the question a file answer answers, by attachment id (its name in the archive)."""
    labels = labels or {}
    # Handed to the response, which closes it once sent.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    problems: list[str] = []
    used: set[str] = set()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for nomination in nominations:
            prefix = nomination_folder(nomination) + "/" if folders else ""
            documents: list[tuple[str, Attachment | Referee]] = [
                (attachment_name(a, labels.get(a.id)), a) for a in nomination.attachments
            ]
            if nomination.id in letters_of:
                documents += [(letter_name(r), r) for r in nomination.referees if r.received]
            for name, attachment in documents:
                arcname = _unique(prefix + name, used)
                digest = storage.sha256_of(attachment.stored_name)
                if digest is None:
                    problems.append(_("%(name)s: the file is missing on the server", name=arcname))
                elif digest != attachment.sha256:
                    problems.append(
                        _("%(name)s: the file does not match its checksum", name=arcname)
                    )
                else:
                    _add(archive, arcname, attachment)
        if problems:
            archive.writestr(
                "MISSING.txt",
                _("These documents could not be included as uploaded:")
                + "\n\n"
                + "\n".join(problems)
                + "\n",
            )
    spool.seek(0)
    return spool
