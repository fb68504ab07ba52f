"""Retention: what a round holds about people is deleted when its time has come.

Three rules per round (the periods are on the round form, audited and cloned):

- **documents**: the documents of every nomination that did not win (no decision, not
  awarded), file answers and referees' letters included, are deleted
  ``retain_documents_months`` after the results were published (a referee stays named, his
  letter gone); the winners keep theirs, with their names and citations;
- **comments**: the comments of every review are cleared ``retain_comments_months`` after
  publication; scores, recommendations and decisions stay, so rankings and counts do not move;
- **drafts**: nominations never submitted are deleted, with their documents and anything
  attached to them, ``retain_drafts_days`` after the call closed.

A month is a calendar month at the same local clock time (published 31 January: due
28 or 29 February). :func:`plan` says what each rule will delete and when (the admin page, a
GET: it changes nothing); :func:`apply_due` deletes what is due (the scheduler's retention job
and ``flask retention run``). Each deletion is a conditional statement whose row count says
whether this run did it, so a job that runs twice, late or on two processes at once deletes
and records each thing once. The bytes go through the storage interface (local folder or
database chunks) once the transaction commits. The audit log records each deletion by kind,
nomination id, counts, bytes, rule and time, never the deleted content (no file names, no
comment text, no nominee name).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime

from nominations.models import (
    Attachment,
    AwardCategory,
    AwardRound,
    Decision,
    Nomination,
    NominationStatus,
    Referee,
    Review,
    RoundStatus,
    db,
)
from nominations.timeutil import from_local, now, shift_local, to_local

DOCUMENTS, COMMENTS, DRAFTS = "documents", "comments", "drafts"
KINDS = (DOCUMENTS, COMMENTS, DRAFTS)
# A call that has closed (drafts can be deleted from then on).
CLOSED = (RoundStatus.CLOSED, RoundStatus.DECIDED, RoundStatus.PUBLISHED)


def add_months(instant: datetime, months: int) -> datetime:
    """``instant`` moved by calendar months at the same local clock time (the day clamped to
    the month's last)."""
    local = to_local(instant)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return from_local(local.date().replace(year=year, month=month, day=day), local.time())


def due_at(award_round: AwardRound, kind: str) -> datetime | None:
    """When ``kind``'s rule deletes in this round; None while it cannot be known (results not
    published yet)."""
    if kind == DRAFTS:
        return shift_local(award_round.closes_at, days=award_round.retain_drafts_days)
    if award_round.published_at is None:
        return None
    months = (
        award_round.retain_documents_months
        if kind == DOCUMENTS
        else award_round.retain_comments_months
    )
    return add_months(award_round.published_at, months)


def is_due(award_round: AwardRound, kind: str, at: datetime) -> bool:
    when = due_at(award_round, kind)
    if when is None or when > at:
        return False
    if kind == DRAFTS:
        return award_round.status in CLOSED
    return award_round.status == RoundStatus.PUBLISHED


def letters_deleted(nomination: Nomination, at: datetime | None = None) -> bool:
    """Whether the documents rule has reached this nomination's referees' letters (due in its
    round, and it did not win): a referee's page row then says that letters are deleted
    rather than that his letter has not come yet. No query beyond the loaded round."""
    return nomination.status not in (
        NominationStatus.AWARDED,
        NominationStatus.DRAFT,
    ) and is_due(nomination.category.round, DOCUMENTS, at or now())


# --- what each rule reaches --------------------------------------------------------------


def _in_round(round_id: int):
    return Nomination.category_id.in_(
        db.select(AwardCategory.id).where(AwardCategory.round_id == round_id)
    )


def _not_winner():
    won = db.select(Decision.id).where(Decision.nomination_id == Nomination.id).exists()
    return db.and_(Nomination.status != NominationStatus.AWARDED, ~won)


def document_query(round_id: int):
    """The documents the documents rule deletes: of submitted nominations that did not win
    (drafts go whole, by their own rule)."""
    return (
        db.select(Attachment.id, Attachment.nomination_id, Attachment.stored_name)
        .add_columns(Attachment.size_bytes)
        .join(Nomination, Nomination.id == Attachment.nomination_id)
        .where(_in_round(round_id), Nomination.status != NominationStatus.DRAFT, _not_winner())
    )


def letter_query(round_id: int):
    """The referees' letters the documents rule deletes (the referee row stays, its letter
    columns cleared), of the same nominations as :func:`document_query`."""
    return (
        db.select(Referee.id, Referee.nomination_id, Referee.stored_name)
        .add_columns(Referee.size_bytes)
        .join(Nomination, Nomination.id == Referee.nomination_id)
        .where(
            Referee.stored_name.is_not(None),
            _in_round(round_id),
            Nomination.status != NominationStatus.DRAFT,
            _not_winner(),
        )
    )


def comment_query(round_id: int):
    """The reviews whose comment the comments rule clears."""
    return (
        db.select(Review.id, Review.nomination_id)
        .join(Nomination, Nomination.id == Review.nomination_id)
        .where(_in_round(round_id), Review.comment != "")
    )


def drafts_of(round_id: int):
    """The nominations the drafts rule deletes."""
    return db.select(Nomination.id).where(
        _in_round(round_id), Nomination.status == NominationStatus.DRAFT
    )


# --- the plan (the admin page) -------------------------------------------------------------


@dataclass
class KindPlan:
    kind: str
    due_at: datetime | None
    due_now: bool
    nominations: int = 0
    items: int = 0  # documents, comments or drafts
    size_bytes: int = 0  # documents only
    next_items: list[tuple[int, str, int, int]] = field(default_factory=list)


def plan(award_round: AwardRound, *, sample: int = 10, at: datetime | None = None) -> list:
    """What each rule will delete in this round and when: counts, and the first ``sample``
    nominations (id, nominee name, items, bytes). A fixed number of queries."""
    at = at or now()
    round_id = award_round.id
    plans = {
        kind: KindPlan(kind, due_at(award_round, kind), is_due(award_round, kind, at))
        for kind in KINDS
    }

    # Attachments (file answers among them) and referees' letters: all documents.
    documents = db.union_all(document_query(round_id), letter_query(round_id)).subquery()
    row = db.session.execute(
        db.select(
            db.func.count(db.distinct(documents.c.nomination_id)),
            db.func.count(documents.c.id),
            db.func.coalesce(db.func.sum(documents.c.size_bytes), 0),
        )
    ).one()
    plans[DOCUMENTS].nominations, plans[DOCUMENTS].items, plans[DOCUMENTS].size_bytes = row
    plans[DOCUMENTS].next_items = _sample(
        db.select(
            documents.c.nomination_id,
            db.func.count(documents.c.id),
            db.func.sum(documents.c.size_bytes),
        ).group_by(documents.c.nomination_id),
        documents.c.nomination_id,
        sample,
    )

    comments = comment_query(round_id).subquery()
    row = db.session.execute(
        db.select(
            db.func.count(db.distinct(comments.c.nomination_id)), db.func.count()
        ).select_from(comments)
    ).one()
    plans[COMMENTS].nominations, plans[COMMENTS].items = row
    plans[COMMENTS].next_items = _sample(
        db.select(comments.c.nomination_id, db.func.count(), db.literal(0)).group_by(
            comments.c.nomination_id
        ),
        comments.c.nomination_id,
        sample,
    )

    drafts = drafts_of(round_id).subquery()
    count = db.session.execute(db.select(db.func.count()).select_from(drafts)).scalar()
    plans[DRAFTS].nominations = plans[DRAFTS].items = count
    plans[DRAFTS].next_items = _sample(
        db.select(drafts.c.id, db.literal(1), db.literal(0)), drafts.c.id, sample
    )
    return [plans[kind] for kind in KINDS]


def _sample(statement, nomination_id, limit: int) -> list[tuple[int, str, int, int]]:
    """(nomination id, nominee name, items, bytes) of the first ``limit`` nominations."""
    grouped = statement.order_by(nomination_id).limit(limit).subquery()
    columns = list(grouped.c)
    rows = db.session.execute(
        db.select(columns[0], Nomination.nominee_name, columns[1], columns[2])
        .join(Nomination, Nomination.id == columns[0])
        .order_by(columns[0])
    ).all()
    return [(nid, name, int(items or 0), int(size or 0)) for nid, name, items, size in rows]
