"""The audit log forgets an erased person: the before and after values that hold their name,
e-mail or the text removed with them become :data:`MARKER`; the action, the time, the actor
and the object stay, so the log still says who did what to which object, and when.

Which values: in the rows about an object the erasure changed (a nomination about the
person, their reviews, conflicts, documents, decisions about them, their account) and in the
rows that name such a nomination (``nomination_id``: a removed document, a deleted decision),
the fields that held the person's data (:data:`ERASED_FIELDS`); in every row, any text that
contains their name or e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, or_

from nominations.models import AuditEvent, AwardCategory, Nomination, db

MARKER = "[erased]"

# Per audited object type, the logged fields whose values are the erased person's data.
ERASED_FIELDS: dict[str, frozenset[str]] = {
    "Nomination": frozenset(
        {
            "nominee_name",
            "nominee_email",
            "nominee_position",
            "nominee_phd_date",
            "statement",
            "ineligible_reason",
            "reason",
        }
    ),
    "Review": frozenset({"comment"}),
    "ConflictOfInterest": frozenset({"reason", "cleared_reason"}),
    "Decision": frozenset({"citation"}),
    "Attachment": frozenset({"original_name", "sha256"}),
    "User": frozenset({"name", "email", "subject", "oidc_subject", "file", "titles"}),
    "Referee": frozenset({"name", "email", "relation", "referee"}),
    "DiscussionNote": frozenset({"note"}),
    "CoauthorDecision": frozenset({"reason"}),
    "PublicationHolder": frozenset({"email", "file", "titles"}),
}

# Actions whose every logged value is the erased person's data (keyed by question label).
ALL_VALUES_ERASED = frozenset({"nomination.answers"})
# Rows about these objects may name the nomination they belong to instead of being about it.
BELONG_TO_NOMINATION = ("Attachment", "Decision", "Review", "ConflictOfInterest")
BATCH = 500


def _redact(value: Any, fields: frozenset[str], pattern: re.Pattern | None) -> Any:
    if isinstance(value, dict):
        return {
            key: MARKER
            if key in fields and item not in (None, "")
            else _redact(item, fields, pattern)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item, fields, pattern) for item in value]
    if isinstance(value, str) and pattern is not None and pattern.search(value):
        return MARKER
    return value


def needles_pattern(needles: Iterable[str]) -> re.Pattern | None:
    """Any of ``needles`` (a person's names and e-mail), ignoring case; None for none."""
    found = [n for n in needles if n]
    return re.compile("|".join(map(re.escape, found)), re.IGNORECASE) if found else None


def _rows_about(object_type: str, ids: set[int]) -> list[AuditEvent]:
    found: list[AuditEvent] = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        found += db.session.execute(
            db.select(AuditEvent).where(
                AuditEvent.object_type == object_type,
                AuditEvent.object_id.in_(ordered[start : start + BATCH]),
            )
        ).scalars()
    return found


def _rows_naming(nomination_ids: set[int], round_ids: set[int] | None = None) -> list[AuditEvent]:
    """Rows of the nominations' rounds about their documents, decisions, reviews, conflicts
    that say ``nomination_id`` in their before or after (removed ones included). ``round_ids``:
    their rounds, where the nominations themselves are gone already."""
    if not nomination_ids:
        return []
    if round_ids is None:
        rounds = db.session.execute(
            db.select(Nomination.category_id).where(Nomination.id.in_(sorted(nomination_ids)))
        ).scalars()
        round_ids = set(
            db.session.execute(
                db.select(AwardCategory.round_id).where(AwardCategory.id.in_(set(rounds)))
            ).scalars()
        )
    candidates = db.session.execute(
        db.select(AuditEvent).where(
            and_(
                AuditEvent.round_id.in_(round_ids),
                or_(*(AuditEvent.object_type == t for t in BELONG_TO_NOMINATION)),
            )
        )
    ).scalars()
    return [
        event
        for event in candidates
        if any(
            isinstance(values, dict) and values.get("nomination_id") in nomination_ids
            for values in (event.before, event.after)
        )
    ]


def _keys(values: Any) -> frozenset[str]:
    return frozenset(values) if isinstance(values, dict) else frozenset()


Rows = dict[int, tuple[AuditEvent, frozenset[str]]]


def _rows_about_objects(
    touched: Mapping[str, Iterable[int]], round_ids: set[int] | None = None
) -> Rows:
    """The rows about ``touched`` objects (type -> ids) and the rows naming its nominations,
    each with the fields that hold the personal data of such an object."""
    rows: Rows = {}
    for object_type, ids in touched.items():
        fields = ERASED_FIELDS.get(object_type, frozenset())
        for event in _rows_about(object_type, set(ids)):
            if event.action in ALL_VALUES_ERASED:
                rows[event.id] = (event, _keys(event.before) | _keys(event.after))
            else:
                rows[event.id] = (event, fields)
    for event in _rows_naming(set(touched.get("Nomination", ())), round_ids):
        fields = ERASED_FIELDS.get(event.object_type, frozenset())
        rows[event.id] = (event, rows.get(event.id, (event, frozenset()))[1] | fields)
    return rows


def _apply(rows: Rows, pattern: re.Pattern | None, keep: int | None = None) -> int:
    redacted = 0
    for event_id, (event, fields) in rows.items():
        if event_id == keep:
            continue
        before = _redact(event.before, fields, pattern)
        after = _redact(event.after, fields, pattern)
        if before != event.before or after != event.after:
            event.before, event.after = before, after  # new objects: the JSON is written
            redacted += 1
    return redacted


def redact_audit(candidates: list[AuditEvent], erasing) -> int:
    """Redact ``candidates`` (rows that hold the person's name or e-mail) and the rows about
    what ``erasing`` changed; the number of rows redacted. The erasure's own row is kept."""
    rows: Rows = {e.id: (e, frozenset()) for e in candidates}
    rows.update(_rows_about_objects(erasing.touched))
    return _apply(rows, needles_pattern(erasing.needles), keep=erasing.record_id)


def forget_deleted(touched: Mapping[str, Iterable[int]], round_id: int) -> int:
    """Retention: the logged values of what it deleted or emptied in round ``round_id``
    (documents' names, review comments, whole drafts) become :data:`MARKER`, as an erasure
    would make them; the rows stay. The number of rows redacted."""
    return _apply(_rows_about_objects(touched, {round_id}), None)
