"""Carrying documents from one back-end to the other (``flask --app nominations documents
move --to database``), one attachment at a time, in the caller's transaction.

A copy counts only when the bytes read back from the target have the SHA-256 recorded at the
upload (``attachments.sha256``); only then is the source copy discarded, and only when the
transaction commits (``Backend.discard``). A source that does not match its checksum is not
copied and is left where it is. A document already in the target, intact, is not copied again,
so the command can run again after an interruption and finish the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import gettext as _

from nominations.models import Attachment
from nominations.storage.base import Backend, checked_name


class Outcome(StrEnum):
    MOVED = "moved"
    ALREADY = "already there"
    MISSING = "missing"
    DAMAGED = "damaged"


def _sha256(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _intact(backend: Backend, attachment: Attachment) -> bool | None:
    """True or False when ``backend`` has the document (intact or not); None when not."""
    if not backend.exists(attachment.stored_name):
        return None
    return _sha256(backend.chunks(attachment.stored_name)) == attachment.sha256


def move_one(attachment: Attachment, source: Backend, target: Backend) -> tuple[Outcome, str]:
    """Move one attachment's bytes from ``source`` to ``target``; the outcome and, for a
    problem, what is wrong."""
    name = attachment.stored_name
    try:
        checked_name(name)
    except ValueError:
        return Outcome.MISSING, _("its stored name is not one this application makes")
    in_target, in_source = _intact(target, attachment), _intact(source, attachment)
    if in_target:
        if in_source is not None:
            source.discard(name)
        return Outcome.ALREADY, ""
    if in_source is None:
        if in_target is False:
            return Outcome.DAMAGED, _(
                "the %(storage)s copy does not match its SHA-256", storage=target.name
            )
        return Outcome.MISSING, _(
            "neither the %(source)s nor the %(target)s storage has it",
            source=source.name,
            target=target.name,
        )
    if not in_source:
        return Outcome.DAMAGED, _(
            "the %(storage)s copy does not match its SHA-256; not moved", storage=source.name
        )
    if in_target is False:  # a damaged copy (from an interrupted run): replaced
        target.delete(name)
    digest = hashlib.sha256()

    def hashed() -> Iterator[bytes]:
        for chunk in source.chunks(name):
            digest.update(chunk)
            yield chunk

    target.write(name, hashed())
    # Checked twice: the source as it was read (it may change under us) and the copy as stored.
    if digest.hexdigest() != attachment.sha256 or not _intact(target, attachment):
        target.delete(name)
        return Outcome.DAMAGED, _(
            "the copy in the %(storage)s storage did not verify; not moved", storage=target.name
        )
    source.discard(name)
    return Outcome.MOVED, ""


@dataclass
class MoveReport:
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    problems: list[str] = field(default_factory=list)

    def add(self, attachment: Attachment, outcome: Outcome, detail: str) -> None:
        self.counts[outcome] += 1
        if detail:
            self.problems.append(
                _(
                    "attachment %(id)d (%(name)s, %(stored)s): %(problem)s",
                    id=attachment.id,
                    name=attachment.original_name,
                    stored=attachment.stored_name,
                    problem=detail,
                )
            )

    def summary(self, target: str) -> str:
        return _(
            "%(moved)d moved to %(target)s, %(already)d already there, %(missing)d missing, "
            "%(damaged)d damaged",
            moved=self.counts[Outcome.MOVED],
            target=target,
            already=self.counts[Outcome.ALREADY],
            missing=self.counts[Outcome.MISSING],
            damaged=self.counts[Outcome.DAMAGED],
        )
