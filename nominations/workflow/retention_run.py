"""Deleting what the retention rules say is due (``workflow.retention`` has the rules).

Called by the scheduler's retention job and by ``flask retention run``; changes and flushes,
the caller commits once. A savepoint per round: one round that fails does not undo the others.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from nominations.models import (
    Attachment,
    AwardRound,
    ConflictOfInterest,
    Decision,
    DiscussionNote,
    Nomination,
    NominationStatus,
    QuestionAnswer,
    Referee,
    Review,
    ReviewScore,
    db,
)
from nominations.models.referees import LETTER_COLUMNS
from nominations.privacy.audit_redaction import forget_deleted
from nominations.storage import delete_stored
from nominations.timeutil import now
from nominations.workflow import audit
from nominations.workflow.retention import (
    CLOSED,
    COMMENTS,
    DOCUMENTS,
    DRAFTS,
    comment_query,
    document_query,
    drafts_of,
    due_at,
    is_due,
    letter_query,
)

log = logging.getLogger(__name__)

RULES = {
    DOCUMENTS: "documents of nominations that did not win, after publication",
    COMMENTS: "review comments, after publication",
    DRAFTS: "drafts never submitted, after the call closed",
}


@dataclass
class RetentionReport:
    documents: int = 0
    size_bytes: int = 0
    comments: int = 0
    drafts: int = 0
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.documents or self.comments or self.drafts)

    def __str__(self) -> str:
        return (
            f"deleted {self.documents} document(s) ({self.size_bytes} bytes), "
            f"cleared {self.comments} review comment(s), deleted {self.drafts} draft(s)"
        )


def _record(kind: str, nomination: Nomination, award_round: AwardRound, at: datetime, **counts):
    """One audit row per nomination and rule: what went, never the content."""
    period = {
        DOCUMENTS: {"months": award_round.retain_documents_months},
        COMMENTS: {"months": award_round.retain_comments_months},
        DRAFTS: {"days": award_round.retain_drafts_days},
    }[kind]
    audit.record(
        f"retention.{kind}",
        nomination,
        actor=None,
        after={
            "nomination_id": nomination.id,
            "kind": kind,
            **counts,
            "rule": RULES[kind],
            **period,
            "due_at": due_at(award_round, kind),
            "deleted_at": at,
        },
        round_id=award_round.id,
    )


def _nominations(ids) -> dict[int, Nomination]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = db.session.execute(db.select(Nomination).where(Nomination.id.in_(ids))).scalars()
    return {item.id: item for item in found}


def _unsynced(statement):
    return statement.execution_options(synchronize_session=False)


# A referee's letter deleted: the row stays (who was asked, and that the letter is gone), the
# letter's columns are cleared as if none had come, and no link can upload another.
NO_LETTER = {**dict.fromkeys(LETTER_COLUMNS), "original_name": "", "token_hash": None}


def _delete_documents(award_round: AwardRound, at: datetime, report: RetentionReport) -> None:
    rows = db.session.execute(document_query(award_round.id).order_by(Attachment.id)).all()
    deleted: dict[int, list[int]] = defaultdict(list)
    letters: dict[int, int] = defaultdict(int)
    gone_ids: list[int] = []
    for attachment_id, nomination_id, stored_name, size in rows:
        # A file answer goes with its document (SQLite enforces no cascade).
        db.session.execute(
            _unsynced(
                db.delete(QuestionAnswer).where(QuestionAnswer.attachment_id == attachment_id)
            )
        )
        gone = db.session.execute(
            _unsynced(db.delete(Attachment).where(Attachment.id == attachment_id))
        ).rowcount
        if gone == 1:  # this run deleted it (another one would have found no row)
            delete_stored(stored_name)
            deleted[nomination_id].append(size)
            gone_ids.append(attachment_id)
    for referee_id, nomination_id, stored_name, size in db.session.execute(
        letter_query(award_round.id).order_by(Referee.id)
    ).all():
        cleared = db.session.execute(
            _unsynced(
                db.update(Referee)
                .where(Referee.id == referee_id, Referee.stored_name == stored_name)
                .values(**NO_LETTER)
            )
        ).rowcount
        if cleared == 1:
            delete_stored(stored_name)
            deleted[nomination_id].append(size)
            letters[nomination_id] += 1
    nominations = _nominations(deleted)
    for nomination_id, sizes in deleted.items():
        nomination = nominations[nomination_id]
        db.session.expire(nomination, ["attachments", "referees"])
        _record(
            DOCUMENTS,
            nomination,
            award_round,
            at,
            documents=len(sizes),
            letters=letters[nomination_id],
            bytes=sum(sizes),
        )
        report.documents += len(sizes)
        report.size_bytes += sum(sizes)
    forget_deleted({"Attachment": gone_ids}, award_round.id)  # their names in the log


def _clear_comments(award_round: AwardRound, at: datetime, report: RetentionReport) -> None:
    rows = db.session.execute(comment_query(award_round.id).order_by(Review.id)).all()
    cleared: dict[int, int] = defaultdict(int)
    emptied: list[int] = []
    for review_id, nomination_id in rows:
        done = db.session.execute(
            db.update(Review)
            .where(Review.id == review_id, Review.comment != "")
            # The scores stand and so does the time of the review's last change.
            .values(comment="", updated_at=Review.updated_at)
            .execution_options(synchronize_session=False)
        ).rowcount
        cleared[nomination_id] += done
        if done:
            emptied.append(review_id)
    nominations = _nominations(nid for nid, count in cleared.items() if count)
    for nomination_id, nomination in nominations.items():
        _record(COMMENTS, nomination, award_round, at, comments=cleared[nomination_id])
        report.comments += cleared[nomination_id]
    forget_deleted({"Review": emptied}, award_round.id)  # the comments' text in the log


def _delete_drafts(award_round: AwardRound, at: datetime, report: RetentionReport) -> None:
    ids = list(db.session.execute(drafts_of(award_round.id).order_by(Nomination.id)).scalars())
    nominations = _nominations(ids)
    referees = dict(
        db.session.execute(
            db.select(Referee.id, Referee.nomination_id).where(Referee.nomination_id.in_(ids))
        ).all()
    )
    gone_ids: list[int] = []
    documents: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for nomination_id, stored_name, size in db.session.execute(
        db.union_all(
            db.select(
                Attachment.nomination_id, Attachment.stored_name, Attachment.size_bytes
            ).where(Attachment.nomination_id.in_(ids)),
            db.select(Referee.nomination_id, Referee.stored_name, Referee.size_bytes).where(
                Referee.nomination_id.in_(ids), Referee.stored_name.is_not(None)
            ),
        )
    ):
        documents[nomination_id].append((stored_name, size))
    for nomination_id in ids:
        nomination = nominations[nomination_id]
        gone = db.session.execute(
            _unsynced(
                db.delete(Nomination).where(
                    Nomination.id == nomination_id, Nomination.status == NominationStatus.DRAFT
                )
            )
        ).rowcount
        if gone != 1:
            continue  # submitted after all, or another run deleted it
        # Whatever hangs on it (PostgreSQL cascades these; SQLite does not enforce keys). The
        # answers first: a file answer's row points at an attachment of the draft.
        for model in (
            QuestionAnswer,
            Attachment,
            Referee,
            DiscussionNote,
            ConflictOfInterest,
            Decision,
        ):
            db.session.execute(
                _unsynced(db.delete(model).where(model.nomination_id == nomination_id))
            )
        reviews = db.select(Review.id).where(Review.nomination_id == nomination_id)
        db.session.execute(
            _unsynced(db.delete(ReviewScore).where(ReviewScore.review_id.in_(reviews)))
        )
        db.session.execute(
            _unsynced(db.delete(Review).where(Review.nomination_id == nomination_id))
        )
        # A nomination started from this draft forgets it (PostgreSQL: ON DELETE SET NULL).
        db.session.execute(
            _unsynced(
                db.update(Nomination)
                .where(Nomination.renominated_from_id == nomination_id)
                .values(renominated_from_id=None, updated_at=Nomination.updated_at)
            )
        )
        for stored_name, _size in documents[nomination_id]:
            delete_stored(stored_name)
        sizes = [size for _name, size in documents[nomination_id]]
        _record(DRAFTS, nomination, award_round, at, documents=len(sizes), bytes=sum(sizes))
        db.session.expunge(nomination)  # gone: the session must not write it back
        report.drafts += 1
        gone_ids.append(nomination_id)
    # What was typed into them, in the log too (their documents' rows name the draft).
    gone = set(gone_ids)
    forget_deleted(
        {"Nomination": gone, "Referee": {rid for rid, nid in referees.items() if nid in gone}},
        award_round.id,
    )


STEPS = ((DOCUMENTS, _delete_documents), (COMMENTS, _clear_comments), (DRAFTS, _delete_drafts))


def apply_due(at: datetime | None = None) -> RetentionReport:
    """Delete, in every round, what its rules say is due at ``at`` (now)."""
    at = at or now()
    report = RetentionReport()
    rounds = db.session.execute(
        db.select(AwardRound).where(AwardRound.status.in_(CLOSED)).order_by(AwardRound.id)
    ).scalars()
    for award_round in list(rounds):
        for kind, step in STEPS:
            if not is_due(award_round, kind, at):
                continue
            try:
                with db.session.begin_nested():
                    step(award_round, at, report)
            except Exception as error:
                log.exception("Retention (%s) in round %s failed", kind, award_round.id)
                report.errors.append(f"{kind} in round {award_round.id}: {error}")
    db.session.flush()
    return report
