"""Disagreement worth a discussion at the panel meeting, and the chair's note on how it was
resolved.

**Which nominations.** The spread of a nomination's normalised scores is the range of its
reviewers' z-scores (highest minus lowest): how far apart the reviewers place it, each on
their own scale, so a harsh and a lenient reviewer who agree do not count as a disagreement.
Listed: the nominations with a spread of at least ``SPREAD_THRESHOLD`` (one standard deviation
of the reviewers' own scales) and two reviews or more, largest spread first, at most
``LISTED`` of them (ties by nominee name).

Computed from the ranking's rows alone (``ranking.compute_ranking`` for the viewer), so the
nominations the viewer has a conflict with, and every review of them, are left out before
anything is computed: the same input, not a second rule.

**The note**: one text per nomination, written by the chair of a covering panel or an
administrator (policy rule ``discussion.note``), read by the panel (``review.read``, never a
nominator). Saving the same text changes nothing; an empty text removes the note. Each change
is audited with the text before and after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from nominations import policy
from nominations.models import DiscussionNote, Nomination, User, db, utcnow
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.ranking import Ranking, RankingRow

SPREAD_THRESHOLD = 1.0
LISTED = 10
MAX_NOTE = 5000


@dataclass
class Disagreement:
    row: RankingRow
    spread: float  # highest minus lowest z-score
    lowest: float
    highest: float


def disagreements(ranking: Ranking, *, threshold: float = SPREAD_THRESHOLD, limit: int = LISTED):
    """The nominations of ``ranking`` whose reviewers disagree most, largest spread first."""
    found = []
    for row in ranking.rows:
        if len(row.z_scores) < 2:
            continue
        lowest, highest = min(row.z_scores.values()), max(row.z_scores.values())
        if highest - lowest >= threshold - 1e-9:
            found.append(Disagreement(row, highest - lowest, lowest, highest))
    found.sort(
        key=lambda d: (-round(d.spread, 6), d.row.nominee_name.casefold(), d.row.nomination_id)
    )
    return found[:limit]


def notes_for(nomination_ids: Iterable[int]) -> dict[int, DiscussionNote]:
    """The notes of these nominations, by nomination id (one query)."""
    ids = list(nomination_ids)
    if not ids:
        return {}
    statement = (
        db.select(DiscussionNote)
        .where(DiscussionNote.nomination_id.in_(ids))
        .options(db.joinedload(DiscussionNote.updated_by))
    )
    return {note.nomination_id: note for note in db.session.execute(statement).scalars()}


def save_note(
    nomination: Nomination, text: str, *, actor: User
) -> tuple[DiscussionNote | None, bool]:
    """Write, change or (empty text) remove the chair's note on ``nomination``.

    Returns the note (None when there is none now) and whether anything changed: the same
    text again writes nothing, not even an audit record.
    """
    policy.authorize("discussion.note", actor, nomination)
    text = (text or "").strip().replace("\r\n", "\n")
    if len(text) > MAX_NOTE:
        raise WorkflowError(_("Keep the note under %(num)d characters.", num=MAX_NOTE), "note")
    note = db.session.execute(
        db.select(DiscussionNote).where(DiscussionNote.nomination_id == nomination.id)
    ).scalar_one_or_none()
    before = note.note if note is not None else ""
    if text == before:
        return note, False
    round_id = nomination.category.round_id
    if not text:
        audit.record(
            "discussion_note.delete",
            note,
            actor=actor,
            before={"nomination_id": nomination.id, "note": before},
            round_id=round_id,
        )
        db.session.delete(note)
        db.session.flush()
        return None, True
    if note is None:
        note = DiscussionNote(nomination_id=nomination.id, note=text)
        db.session.add(note)
    note.note = text
    note.updated_by_id = actor.id
    note.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "discussion_note.create" if not before else "discussion_note.update",
        note,
        actor=actor,
        before={"nomination_id": nomination.id, "note": before} if before else None,
        after={"nomination_id": nomination.id, "note": text},
        round_id=round_id,
    )
    return note, True
