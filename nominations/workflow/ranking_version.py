"""The version stamp of a category's ranking: ``award_categories.ranking_version``, replaced
in the same transaction as every change to anything the ranking reads, so that a ranking
cached under one stamp (``ranking_cache``) is never served once its inputs have changed.

**What the ranking reads** is :data:`WATCHED`: per table, the columns its queries use
(``ranking_inputs``, and the assignment rule it asks) and how a row leads to the categories
concerned. ``tests/test_ranking_cache.py`` walks those queries and fails when one reads a
column that is not listed here, so a new input cannot be forgotten.

**How the stamp is replaced.** Not by a call in each workflow function: some twenty of them
change these tables (reviews, conflicts, panels, rubric, nominations, withdrawals, accounts,
departments, the staff import, closing, cloning), and one forgotten call would serve a stale
ranking. Instead every write through the session is seen:

- as a flush writes each row (mapper events: orphans deleted by a cascade too), the rows
  added, deleted or changed in a watched column are noted with the category, round,
  nomination, review or panel they belong to; a bulk UPDATE, DELETE or INSERT on a watched
  table, which no flush sees, counts as a change to every category;
- just before the transaction commits, the noted rows are turned into category ids and those
  categories get a fresh random stamp, in the same transaction: the new data and the new stamp
  become visible together. Locking the stamps at that last moment (in id order, FOR NO KEY
  UPDATE) means a transaction never holds them while waiting for anything else, and never
  waits for one still at work: no deadlock with the share lock nominating takes on the
  round, with the key-share locks that rows referring to a category take on it, nor between
  two writers (tests/test_multiprocess_path.py nominates through two servers at once).

A ranking computed in a transaction that has changes not yet committed is never cached nor
served from the cache (:func:`uncommitted_changes`).

**Why not a fingerprint** (max(updated_at), counts): scores have no timestamp, a row deleted
and another inserted keep the count, and many inputs (a user's department, a panel) have no
timestamp either; it could not be shown complete. **Why random and not a counter**: ids start
again at 1 in a database emptied and filled again (the tests do it for every test, and a
restore does it too); a counter would start again at the same value, a random stamp does not.

Not seen: SQL written as text and writes by other programs (psql, a restore); after such a
change call :func:`bump_all` (or restart the web workers, whose caches live in memory).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import chain
from typing import Any, NamedTuple

from sqlalchemy import event
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, object_session
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE, get_history

from nominations.models import (
    AwardCategory,
    AwardRound,
    Nomination,
    Panel,
    Review,
    db,
    new_ranking_version,
)
from nominations.workflow import assignment

PENDING = "ranking_changes"  # session.info: {(scope, id)} noted since the transaction began
EVERY = ("every", None)
# Beyond this many rows of one kind in a transaction, every category is stamped afresh
# (cheaper than a long IN list; such transactions are rare: imports, merges).
MANY = 500


class Watch(NamedTuple):
    columns: frozenset[str]  # the columns the ranking reads
    placed_by: str | None  # the column that says where a row belongs (None: everywhere)
    scope: str | None  # what that column names: category, round, nomination, review, panel


WATCHED: dict[str, Watch] = {
    "award_categories": Watch(frozenset({"id", "round_id"}), "id", "category"),
    "award_rounds": Watch(
        frozenset({"id", "status", "closes_at", "department_conflicts"}), "id", "round"
    ),
    "criteria": Watch(
        frozenset(
            {"id", "category_id", "position", "name", "name_nb", "weight", "scale_min", "scale_max"}
        ),
        "category_id",
        "category",
    ),
    "nominations": Watch(
        frozenset(
            {
                "id",
                "category_id",
                "status",
                "nominee_name",
                "nominee_email",
                "nominee_department_id",
                "nominator_id",
            }
        ),
        "category_id",
        "category",
    ),
    "reviews": Watch(
        frozenset({"id", "nomination_id", "reviewer_id", "status", "recommendation"}),
        "nomination_id",
        "nomination",
    ),
    "review_scores": Watch(
        frozenset({"id", "review_id", "criterion_id", "score"}), "review_id", "review"
    ),
    "conflicts_of_interest": Watch(
        frozenset({"id", "nomination_id", "reviewer_id", "automatic", "cleared_at"}),
        "nomination_id",
        "nomination",
    ),
    "panels": Watch(frozenset({"id", "round_id", "category_id"}), "round_id", "round"),
    "panel_members": Watch(frozenset({"id", "panel_id", "user_id"}), "panel_id", "panel"),
    # A person or a department can matter to every round (a reviewer's name, e-mail and
    # department decide conflicts; a department's name is shown): every category.
    "users": Watch(
        frozenset({"id", "name", "email", "department_id", "is_reviewer", "active"}), None, None
    ),
    "departments": Watch(frozenset({"id", "name"}), None, None),
}


# --------------------------------------------------------------------------------------------
# Reading the stamp


class Stamp(NamedTuple):
    version: str
    call_closed: bool  # who owes a review depends on the clock as well as on the data


def current(category_id: int) -> Stamp | None:
    """The category's stamp as committed (None: no such category), and whether its call has
    closed now (the assignment rule's own clause, so the clock enters the key as it enters the
    rule)."""
    row = db.session.execute(
        db.select(AwardCategory.ranking_version, assignment.call_closed_clause())
        .join(AwardRound, AwardRound.id == AwardCategory.round_id)
        .where(AwardCategory.id == category_id)
    ).first()
    return None if row is None else Stamp(row[0], bool(row[1]))


def uncommitted_changes(session: Session | None = None) -> bool:
    """This transaction has changed something a ranking reads (flushed, not yet committed)."""
    session = session or db.session()
    return bool(session.info.get(PENDING))


# --------------------------------------------------------------------------------------------
# Noting changes


def _placing_values(obj: Any, watch: Watch, is_new: bool) -> list[tuple[str, Any]]:
    """Where the row belongs: its placing column's value(s), before and after the change."""
    if watch.scope is None:
        return [EVERY]
    history = get_history(obj, watch.placed_by, passive=PASSIVE_NO_INITIALIZE)
    values = [v for v in chain(history.added, history.unchanged, history.deleted) if v is not None]
    moved_from_unknown = not is_new and history.added and not history.deleted
    if not values or moved_from_unknown:  # not loaded, or moved from we know not where
        return [EVERY]
    return [(watch.scope, value) for value in values]


def _changed(target: Any, watch: Watch, mapper: Any) -> bool:
    return any(
        get_history(target, key, passive=PASSIVE_NO_INITIALIZE).has_changes()
        for key in watch.columns
        if key in mapper.column_attrs
    )


def _row_listener(kind: str):
    """A mapper event for each row a flush inserts, updates or deletes (orphans deleted by a
    cascade included, which ``session.deleted`` never lists)."""

    def note(mapper: Any, connection: Any, target: Any) -> None:
        watch = WATCHED.get(mapper.local_table.name)
        if watch is None or (kind == "update" and not _changed(target, watch, mapper)):
            return
        session = object_session(target)
        if session is not None:
            noted = session.info.setdefault(PENDING, set())
            if EVERY not in noted:
                noted.update(_placing_values(target, watch, kind == "insert"))

    return note


_ROW_LISTENERS = {kind: _row_listener(kind) for kind in ("insert", "update", "delete")}


def _set_columns(state: ORMExecuteState) -> set[str] | None:
    """The columns a bulk UPDATE sets (None: cannot tell)."""
    names: set[str] = set()
    for key in getattr(state.statement, "_values", None) or {}:
        names.add(getattr(key, "key", key))
    parameters = state.parameters
    if isinstance(parameters, dict):
        names.update(parameters)
    elif isinstance(parameters, list | tuple):
        for item in parameters:
            names.update(item)
    return names or None


def _note_bulk(state: ORMExecuteState) -> None:
    """A bulk INSERT, UPDATE or DELETE through the session on a watched table: no flush sees
    its rows, so every category counts as changed (an UPDATE setting only columns the ranking
    does not read, or only a primary key, excepted)."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    watch = WATCHED.get(getattr(table, "name", ""))
    if watch is None:
        return
    if state.is_update:
        columns = _set_columns(state)
        primary = {c.key for c in table.primary_key} if columns is not None else set()
        if columns is not None and not (columns & watch.columns) - primary:
            return
    state.session.info.setdefault(PENDING, set()).add(EVERY)


# --------------------------------------------------------------------------------------------
# Stamping at commit


def _category_ids(session: Session, noted: set[tuple[str, Any]]) -> set[int] | None:
    """The categories the noted rows belong to (None: every category)."""
    by_scope: dict[str, set[Any]] = defaultdict(set)
    for scope, value in noted:
        by_scope[scope].add(value)
    if EVERY[0] in by_scope or any(len(ids) > MANY for ids in by_scope.values()):
        return None

    def _ids(select: Any, ids: set[Any]) -> set[int]:
        return set(session.execute(select(ids)).scalars()) if ids else set()

    nominations = by_scope["nomination"] | _ids(
        lambda ids: db.select(Review.nomination_id).where(Review.id.in_(ids)), by_scope["review"]
    )
    rounds = by_scope["round"] | _ids(
        lambda ids: db.select(Panel.round_id).where(Panel.id.in_(ids)), by_scope["panel"]
    )
    return (
        by_scope["category"]
        | _ids(
            lambda ids: db.select(Nomination.category_id).where(Nomination.id.in_(ids)),
            nominations,
        )
        | _ids(
            lambda ids: db.select(AwardCategory.id).where(AwardCategory.round_id.in_(ids)), rounds
        )
    )


def _stamp(session: Session, category_ids: set[int] | None) -> None:
    """Give the categories (None: all) a fresh stamp, locking their rows in id order.

    FOR NO KEY UPDATE, as the UPDATE itself locks: it does not wait for the key-share locks
    that a transaction still at work holds on its category by inserting a row that refers to
    it (a nomination, a panel); FOR UPDATE did, and two nominators each waiting for the
    other's key-share lock at commit were a deadlock."""
    select = db.select(AwardCategory.id).order_by(AwardCategory.id).with_for_update(key_share=True)
    if category_ids is not None:
        if not category_ids:
            return
        select = select.where(AwardCategory.id.in_(category_ids))
    locked = list(session.execute(select).scalars())
    if locked:
        session.execute(
            db.update(AwardCategory)
            .where(AwardCategory.id.in_(locked))
            .values(ranking_version=new_ranking_version())
            .execution_options(synchronize_session=False)
        )


def _stamp_before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the outer transaction commits later
        return
    session.flush()  # what is still pending gets noted
    noted = session.info.pop(PENDING, None)
    if noted:
        _stamp(session, _category_ids(session, noted))


def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended: committed or rolled back
        session.info.pop(PENDING, None)


def bump_all() -> None:
    """Every category's ranking counts as changed (after a change the session did not see);
    committed by the caller's unit of work."""
    db.session.info.setdefault(PENDING, set()).add(EVERY)


def register() -> None:
    """Listen to every session (once per process)."""
    for kind, listener in _ROW_LISTENERS.items():
        if not event.contains(Mapper, f"after_{kind}", listener):
            event.listen(Mapper, f"after_{kind}", listener)
    for name, listener in (
        ("do_orm_execute", _note_bulk),
        ("before_commit", _stamp_before_commit),
        ("after_transaction_end", _forget),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
