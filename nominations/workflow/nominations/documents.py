"""Supporting documents of a nomination: added and removed within the category's limits.

The bytes are stored as soon as an upload is accepted (``storage.store_pdf``), but the
transaction that records them is committed later, at the edge. The stored bytes follow the
transaction's fate (``nominations.storage``): bytes stored in it are gone if it ends without a
commit (a refused form, an error, a rolled-back request), and those of removed or replaced
documents go only once the removal is committed.

In the local folder, a process killed between writing a file and committing (a worker that
dies, a machine that stops) leaves a file no row names; ``sweep_orphan_files`` (a scheduled
job) deletes such files once they are older than ``ORPHAN_UPLOAD_AGE_SECONDS`` (an hour), far
longer than any request. In the database no chunk outlives the transaction that wrote it; the
sweep deletes those whose row went later (a document removed while a move was copying it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from nominations import storage
from nominations.languages import localized
from nominations.models import Attachment, AttachmentKind, Nomination, User, db
from nominations.storage import FileRefused, delete_stored, human_size, store_pdf
from nominations.timeutil import now
from nominations.workflow import audit

ATTACHMENT_FIELDS = ("kind", "original_name", "sha256", "size_bytes")

# The form field each document kind belongs to, and how it is named in messages.
DOCUMENT_FIELDS = {
    AttachmentKind.CV: "cv",
    AttachmentKind.PUBLICATIONS: "publications",
    AttachmentKind.SUPPORT_LETTER: "support_letters",
}
DOCUMENT_LABELS = {
    AttachmentKind.CV: _l("CV"),
    AttachmentKind.PUBLICATIONS: _l("publication list"),
    AttachmentKind.SUPPORT_LETTER: _l("support letter"),
}


@dataclass
class Upload:
    """One uploaded file: its kind, the name the browser gave and the stream of bytes."""

    kind: str
    filename: str
    stream: BinaryIO


@dataclass
class DocumentChanges:
    uploads: list[Upload] = field(default_factory=list)
    remove_ids: list[int] = field(default_factory=list)


def sweep_orphan_files(at: datetime) -> list[str]:
    """Delete the stored documents that no attachment names and that were stored more than
    ``ORPHAN_UPLOAD_AGE_SECONDS`` before ``at``, in every back-end (a move between them may
    have left some in either); returns their names. A younger file may be an upload in
    flight, and an old one can never be named later (names are new random ones), so running
    it anywhere, twice or late is safe."""
    cutoff = at - timedelta(seconds=int(current_app.config["ORPHAN_UPLOAD_AGE_SECONDS"]))
    orphans = []
    for backend in storage.backends():
        for name in backend.unnamed_before(cutoff):
            backend.discard(name)
            orphans.append(name)
    return orphans


# --- adding and removing ------------------------------------------------------------------


def _remove(nomination: Nomination, attachment: Attachment, actor: User) -> None:
    audit.record(
        "attachment.remove",
        attachment,
        actor=actor,
        before={"nomination_id": nomination.id, **audit.snapshot(attachment, ATTACHMENT_FIELDS)},
        round_id=nomination.category.round_id,
    )
    nomination.attachments.remove(attachment)
    delete_stored(attachment.stored_name)


def _too_many_letters(nomination: Nomination, upload: Upload) -> FileRefused | None:
    category = nomination.category
    letters = sum(1 for a in nomination.attachments if a.kind == AttachmentKind.SUPPORT_LETTER)
    if letters < category.max_support_letters:
        return None
    return FileRefused(
        ngettext(
            "%(category)s takes at most %(num)d support letter: “%(name)s” was not added.",
            "%(category)s takes at most %(num)d support letters: “%(name)s” was not added.",
            category.max_support_letters,
            category=localized(category, "name"),
            name=upload.filename,
        ),
        DOCUMENT_FIELDS[AttachmentKind.SUPPORT_LETTER],
    )


def apply_documents(
    nomination: Nomination, documents: DocumentChanges | None, actor: User
) -> list[FileRefused]:
    """Remove and add documents; returns the uploads that were refused (not stored)."""
    if documents is None:
        return []
    refused: list[FileRefused] = []
    remove = set(documents.remove_ids)
    # A file answer goes with its answer (workflow.questions.saving), not from this list.
    removable = [a for a in nomination.attachments if a.kind != AttachmentKind.ANSWER]
    for attachment in [a for a in removable if a.id in remove]:
        _remove(nomination, attachment, actor)
    for upload in documents.uploads:
        kind = AttachmentKind(upload.kind)
        if kind == AttachmentKind.SUPPORT_LETTER:
            too_many = _too_many_letters(nomination, upload)
            if too_many is not None:
                refused.append(too_many)
                continue
        try:
            _add(nomination, kind, upload, actor)
        except FileRefused as error:
            refused.append(error)
    return refused


def _add(nomination: Nomination, kind: AttachmentKind, upload: Upload, actor: User) -> None:
    """Store one upload (replacing the CV or publication list there was); FileRefused when
    the file is not acceptable, and then nothing of it is left stored. The same file (kind, name and
    content) as one already attached is not added twice."""
    field_name, label = DOCUMENT_FIELDS[kind], DOCUMENT_LABELS[kind]
    replaced = [
        a
        for a in nomination.attachments
        if a.kind == kind and kind != AttachmentKind.SUPPORT_LETTER
    ]
    stored = store_pdf(upload.stream, upload.filename, field=field_name, label=str(label))
    same = (kind, stored.original_name, stored.sha256)
    if any((a.kind, a.original_name, a.sha256) == same for a in nomination.attachments):
        # The same document sent again (a retried or repeated form): it is there already.
        delete_stored(stored.stored_name)
        return
    max_total = int(current_app.config["MAX_TOTAL_BYTES"])
    total = sum(a.size_bytes for a in nomination.attachments if a not in replaced)
    if total + stored.size_bytes > max_total:
        delete_stored(stored.stored_name)
        raise FileRefused(
            gettext(
                "“%(name)s” was not added: together the documents of a nomination may take at "
                "most %(size)s.",
                name=stored.original_name,
                size=human_size(max_total),
            ),
            field_name,
        )
    for old in replaced:
        _remove(nomination, old, actor)
    attachment = Attachment(
        kind=kind,
        original_name=stored.original_name,
        stored_name=stored.stored_name,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        uploaded_by_id=actor.id,
        uploaded_at=now(),
    )
    nomination.attachments.append(attachment)
    db.session.flush()
    audit.record(
        "attachment.add",
        attachment,
        actor=actor,
        after={"nomination_id": nomination.id, **audit.snapshot(attachment, ATTACHMENT_FIELDS)},
        round_id=nomination.category.round_id,
    )
