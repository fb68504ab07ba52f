"""Supporting documents of a nomination: added and removed within the category's limits.

The bytes go to disk as soon as an upload is accepted (``storage.store_pdf``), but the
transaction that records them is committed later, at the edge. So the files follow the
transaction's fate: files written in it are deleted if it ends without a commit (a refused
form, an error, a rolled-back request), and files of removed or replaced documents are
deleted only once the removal is committed. Documents are never stored inside a savepoint,
so only the outermost transaction is watched.

A process killed between writing a file and committing (a worker that dies, a machine that
stops) leaves a file no row names; ``sweep_orphan_files`` (a scheduled job) deletes such files
once they are older than ``ORPHAN_UPLOAD_AGE_SECONDS`` (an hour), far longer than any request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from nominations.models import Attachment, AttachmentKind, Nomination, User, db
from nominations.storage import (
    FileRefused,
    delete_stored,
    human_size,
    store_pdf,
    stored_files_older_than,
)
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
    AttachmentKind.CV: "CV",
    AttachmentKind.PUBLICATIONS: "publication list",
    AttachmentKind.SUPPORT_LETTER: "support letter",
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


# --- files on disk follow the transaction ---------------------------------------------------

_FILES_KEY = "nomination_files"


@dataclass
class _PendingFiles:
    """Files written and files to delete in the session's current transaction."""

    written: list[str] = field(default_factory=list)
    to_delete: list[str] = field(default_factory=list)


def _pending() -> _PendingFiles:
    return db.session().info.setdefault(_FILES_KEY, _PendingFiles())


@event.listens_for(Session, "after_commit")
def _delete_removed_files(session: Session) -> None:
    pending = session.info.pop(_FILES_KEY, None)
    if pending is not None:
        for name in pending.to_delete:
            delete_stored(name)


@event.listens_for(Session, "after_transaction_end")
def _delete_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    # after_commit has already taken the list when the transaction committed; what is left
    # when the outermost transaction ends was rolled back (or closed unfinished).
    if transaction.parent is not None:
        return
    pending = session.info.pop(_FILES_KEY, None)
    if pending is not None:
        for name in pending.written:
            delete_stored(name)


def sweep_orphan_files(at: datetime) -> list[str]:
    """Delete the stored files that no attachment names and that were written more than
    ``ORPHAN_UPLOAD_AGE_SECONDS`` before ``at``; returns their names. Reads only: a younger
    file may be an upload in flight, and an old one can never be named later (names are new
    random ones), so running it anywhere, twice or late is safe."""
    age = timedelta(seconds=int(current_app.config["ORPHAN_UPLOAD_AGE_SECONDS"]))
    candidates = stored_files_older_than(at - age)
    named: set[str] = set()
    for start in range(0, len(candidates), 500):
        batch = candidates[start : start + 500]
        named.update(
            db.session.execute(
                db.select(Attachment.stored_name).where(Attachment.stored_name.in_(batch))
            ).scalars()
        )
    orphans = [name for name in candidates if name not in named]
    for name in orphans:
        delete_stored(name)
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
    _pending().to_delete.append(attachment.stored_name)


def _too_many_letters(nomination: Nomination, upload: Upload) -> FileRefused | None:
    category = nomination.category
    letters = sum(1 for a in nomination.attachments if a.kind == AttachmentKind.SUPPORT_LETTER)
    if letters < category.max_support_letters:
        return None
    return FileRefused(
        f"{category.name} takes at most {category.max_support_letters} "
        f"support letters: “{upload.filename}” was not added.",
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
    for attachment in [a for a in nomination.attachments if a.id in remove]:
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
    the file is not acceptable, and then nothing is left on disk. The same file (kind, name and
    content) as one already attached is not added twice."""
    field_name, label = DOCUMENT_FIELDS[kind], DOCUMENT_LABELS[kind]
    replaced = [
        a
        for a in nomination.attachments
        if a.kind == kind and kind != AttachmentKind.SUPPORT_LETTER
    ]
    stored = store_pdf(upload.stream, upload.filename, field=field_name, label=label)
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
            f"“{stored.original_name}” was not added: together the documents of a "
            f"nomination may take at most {human_size(max_total)}.",
            field_name,
        )
    _pending().written.append(stored.stored_name)
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
