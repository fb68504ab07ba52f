"""Writing the audit log. Called by the workflow functions, in their transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel.speaklater import LazyString

from nominations.models import AuditEvent, User, db


def _plain(value: Any) -> Any:
    if isinstance(value, LazyString):  # a text for people: stored as it reads now
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):  # as typed, without the column's trailing zeros
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict:
    """The named attributes of ``obj`` as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    action: str,
    obj: Any,
    *,
    actor: User | None,
    before: dict | None = None,
    after: dict | None = None,
    round_id: int | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        round_id=round_id,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    db.session.add(event)
    return event


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, so the log shows what moved."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
