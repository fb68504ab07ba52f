"""Keyset paging: a page is the rows after (or before) one row in the list's order, never
"skip the first N". The database reads only the rows it shows (through an index where the
order has one), so the last page costs what the first one does; with OFFSET it sorted and
skipped every row before it.

A page is found from its neighbour's boundary row, named by id in the link
(``?after=<id>``, ``?before=<id>``; ``?last=1`` for the end), so links are plain URLs that work
without JavaScript and carry the list's filters and sort order unchanged. A row named that no
longer matches (deleted, or filtered out since) gives the first page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_

from nominations.models import db
from nominations.routing import valid_id

CURSOR_ARGS = ("after", "before", "last", "page")  # "page": the numbered links of before


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order."""

    column: ColumnElement[Any]
    descending: bool = False

    def ordered(self, reverse: bool = False) -> ColumnElement[Any]:
        return self.column.desc() if self.descending != reverse else self.column.asc()


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after a row, before a row, at the end, or (none) at the start."""

    after: int | None = None
    before: int | None = None
    last: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Cursor:
        return cls(
            after=valid_id(args.get("after")),
            before=valid_id(args.get("before")),
            last=args.get("last") == "1",
        )


@dataclass
class KeysetPage:
    items: list[Any]
    total: int
    has_prev: bool
    has_next: bool

    @property
    def first_id(self) -> int | None:
        return self.items[0].id if self.items else None

    @property
    def last_id(self) -> int | None:
        return self.items[-1].id if self.items else None


def _beyond(keys: Sequence[SortKey], anchor: Sequence[Any], forward: bool) -> ColumnElement[bool]:
    """SQL: the row comes after ``anchor`` in the order (``forward``) or before it: the
    lexicographic comparison, key by key, each in its own direction."""
    clause = None
    for key, value in reversed(list(zip(keys, anchor, strict=True))):
        later = (key.column > value) if key.descending != forward else (key.column < value)
        clause = later if clause is None else or_(later, and_(key.column == value, clause))
    assert clause is not None
    return clause


def keyset_page(
    rows: Select,
    keys: Sequence[SortKey],
    cursor: Cursor,
    *,
    per_page: int,
    options: Sequence[Any] = (),
) -> KeysetPage:
    """A page of ``rows`` (a SELECT of one entity with its joins and filters, no order) in the
    order of ``keys``, whose last key must be the entity's unique id.

    Three queries: the boundary row's keys (only when the cursor names one), the count, and
    the page: the ids of its rows (read from an index, or a top-N sort of the matching rows'
    keys) and the rows themselves with ``options`` (eager loads), in one statement.
    """
    id_column = keys[-1].column
    named = cursor.after if cursor.after is not None else cursor.before
    anchor = None
    if named is not None:
        anchor = db.session.execute(
            rows.with_only_columns(*(k.column for k in keys)).where(id_column == named)
        ).first()
    total = db.session.execute(
        rows.with_only_columns(func.count(id_column)).order_by(None)
    ).scalar_one()

    def fetch(forward: bool) -> list[Any]:
        """Up to a page and one more row, from the anchor (or the start or the end) onwards,
        in the list's order."""
        order = [k.ordered(reverse=not forward) for k in keys]
        ids = rows.with_only_columns(id_column).order_by(*order).limit(per_page + 1)
        if anchor is not None:
            ids = ids.where(_beyond(keys, anchor, forward))
        statement = rows.options(*options).where(id_column.in_(ids)).order_by(*order)
        found = list(db.session.execute(statement).unique().scalars())
        return found if forward else found[::-1]

    if anchor is None:  # the first page, or the last
        if not cursor.last:
            found = fetch(forward=True)
            return KeysetPage(found[:per_page], total, False, len(found) > per_page)
        found = fetch(forward=False)
        return KeysetPage(found[-per_page:], total, len(found) > per_page, False)
    if cursor.after is not None:
        found = fetch(forward=True)
        if found:
            return KeysetPage(found[:per_page], total, True, len(found) > per_page)
        # Nothing after it any more: the last page rather than an empty one.
        return keyset_page(rows, keys, Cursor(last=True), per_page=per_page, options=options)
    found = fetch(forward=False)
    if found:
        return KeysetPage(found[-per_page:], total, len(found) > per_page, True)
    return keyset_page(rows, keys, Cursor(), per_page=per_page, options=options)


def page_args(args: Mapping[str, str], **cursor: Any) -> dict[str, str]:
    """The request's query arguments (filters, sort order) with ``cursor`` in place of the
    current one: the arguments of a link to another page of the same list."""
    kept = {name: value for name, value in args.items() if name not in CURSOR_ARGS}
    return kept | {name: str(value) for name, value in cursor.items()}
