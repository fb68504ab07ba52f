"""The local back-end (DOCUMENT_STORAGE "local", the default): each document a file in
``UPLOAD_FOLDER`` (default ``instance/uploads``), outside the web root. Fit for one host: the
other hosts behind the same address do not see this disk.

Files take no part in the database transaction, so session events make them follow it: a file
written in a transaction is deleted if the transaction ends without a commit (a refused form,
an error, a rolled-back request), and a discarded file is deleted only once the transaction
commits. Documents are never stored inside a savepoint, so only the outermost transaction is
watched. A process killed between writing a file and committing (a worker that dies, a machine
that stops) leaves a file no row names, which the orphan sweep deletes once it is old enough.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from nominations.extensions import db
from nominations.models import Attachment, Referee
from nominations.storage.base import CHUNK_BYTES, STORED_NAME_RE, checked_name

_FILES_KEY = "stored_files"


@dataclass
class _PendingFiles:
    """Files written and files to delete in the session's current transaction."""

    written: set[Path] = field(default_factory=set)
    to_delete: set[Path] = field(default_factory=set)


def _pending() -> _PendingFiles:
    return db.session().info.setdefault(_FILES_KEY, _PendingFiles())


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as error:  # keep going: an orphan file is harmless, a 500 is not
        current_app.logger.warning("Could not delete stored file %s: %s", path, error)


@event.listens_for(Session, "after_commit")
def _delete_discarded_files(session: Session) -> None:
    pending = session.info.pop(_FILES_KEY, None)
    if pending is not None:
        for path in pending.to_delete:
            _unlink(path)


@event.listens_for(Session, "after_transaction_end")
def _delete_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    # after_commit has already taken the lists when the transaction committed; what is left
    # when the outermost transaction ends was rolled back (or closed unfinished).
    if transaction.parent is not None:
        return
    pending = session.info.pop(_FILES_KEY, None)
    if pending is not None:
        for path in pending.written:
            _unlink(path)


def upload_folder() -> Path:
    # Absolute: send_file would take a relative path from the package, not the working folder.
    return Path(current_app.config["UPLOAD_FOLDER"]).absolute()


def path_for(stored_name: str) -> Path:
    """Where a stored file lives; ValueError for any name this package did not make."""
    return upload_folder() / checked_name(stored_name)


class LocalStorage:
    name = "local"

    def write(self, stored_name: str, chunks: Iterable[bytes]) -> None:
        target = path_for(stored_name)
        target.parent.mkdir(parents=True, exist_ok=True)
        _pending().written.add(target)  # before the first byte: a rollback takes it all
        with open(target, "xb") as out:
            for chunk in chunks:
                out.write(chunk)

    def exists(self, stored_name: str) -> bool:
        return path_for(stored_name).is_file()

    def chunks(self, stored_name: str) -> Iterator[bytes]:
        with open(path_for(stored_name), "rb") as source:
            while chunk := source.read(CHUNK_BYTES):
                yield chunk

    def delete(self, stored_name: str) -> None:
        path = path_for(stored_name)
        _pending().written.discard(path)
        _unlink(path)

    def discard(self, stored_name: str) -> None:
        path = path_for(stored_name)
        pending = _pending()
        if path in pending.written:  # written in this very transaction: nobody needs it
            self.delete(stored_name)
        else:
            pending.to_delete.add(path)

    def unnamed_before(self, cutoff: datetime) -> list[str]:
        folder = upload_folder()
        if not folder.is_dir():
            return []
        old = []
        for entry in os.scandir(folder):
            if not STORED_NAME_RE.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            try:
                written = datetime.fromtimestamp(entry.stat(follow_symlinks=False).st_mtime, UTC)
            except FileNotFoundError:  # deleted meanwhile
                continue
            if written < cutoff:
                old.append(entry.name)
        named: set[str] = set()
        for start in range(0, len(old), 500):
            batch = old[start : start + 500]
            # Attachments and referees' letters (nominations.models.referees) name files.
            named.update(
                db.session.execute(
                    db.select(Attachment.stored_name).where(Attachment.stored_name.in_(batch))
                ).scalars()
            )
            named.update(
                db.session.execute(
                    db.select(Referee.stored_name).where(Referee.stored_name.in_(batch))
                ).scalars()
            )
        return sorted(name for name in old if name not in named)

    def download(self, stored_name: str, size: int, **send_file_options) -> Response:
        # send_file streams the file from disk (and answers Range requests).
        return send_file(path_for(stored_name), **send_file_options)
