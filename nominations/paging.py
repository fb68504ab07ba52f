"""Keyset paging: a page is the rows after (or before) one row in the list's order, never
"skip the first N". The database reads only the rows it shows, through an index, so the last
page costs what the first one does; with OFFSET it sorted and skipped every row before it.

A page is found from its neighbour's boundary row, named by id in the link
(``?after=<id>``, ``?before=<id>``; ``?last=1`` for the end), so links are plain URLs that work
without JavaScript and carry the list's filters and sort order unchanged. A row named that no
longer matches (deleted, or filtered out since) gives the first page.

Two shapes of order:

- :func:`keyset_page`: columns of the listed table (an index on them serves the order);
- :func:`grouped_keyset_page`: first a group in an order known beforehand (a category, by
  round and position), then columns within the group (an index on the group column and those
  columns serves each group's part of the page).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, or_, union_all

from nominations.models import db
from nominations.routing import valid_id

CURSOR_ARGS = ("after", "before", "last", "page")  # "page": the numbered links of before


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order."""

    column: ColumnElement[Any]
    descending: bool = False

    def ordered(self, reverse: bool = False, column: Any = None) -> ColumnElement[Any]:
        column = self.column if column is None else column
        return column.desc() if self.descending != reverse else column.asc()


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

    @property
    def named(self) -> int | None:
        """The id of the row the page starts after or before."""
        return self.after if self.after is not None else self.before


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


# fetch(anchor or None, forward) -> up to a page and one more row from the anchor (or from the
# start, or the end) onwards, in the list's order.
Fetch = Callable[[Any, bool], list[Any]]


def _page(cursor: Cursor, anchor: Any, fetch: Fetch, total: int, per_page: int) -> KeysetPage:
    """The page the cursor asks for; a cursor past either end gives the page at that end
    rather than an empty one (the rows moved on since the link was made)."""
    if anchor is None:
        if cursor.last:
            found = fetch(None, False)
            return KeysetPage(found[-per_page:], total, len(found) > per_page, False)
        found = fetch(None, True)
        return KeysetPage(found[:per_page], total, False, len(found) > per_page)
    if cursor.after is not None:
        found = fetch(anchor, True)
        if found:
            return KeysetPage(found[:per_page], total, True, len(found) > per_page)
        return _page(Cursor(last=True), None, fetch, total, per_page)
    found = fetch(anchor, False)
    if found:
        return KeysetPage(found[-per_page:], total, len(found) > per_page, True)
    return _page(Cursor(), None, fetch, total, per_page)


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
    the page: the ids of its rows (read from an index on ``keys``) and the rows themselves
    with ``options`` (eager loads), in one statement.
    """
    id_column = keys[-1].column
    anchor = None
    if cursor.named is not None:
        anchor = db.session.execute(
            rows.with_only_columns(*(k.column for k in keys)).where(id_column == cursor.named)
        ).first()
    total = db.session.execute(
        rows.with_only_columns(func.count(id_column)).order_by(None)
    ).scalar_one()

    def fetch(anchor: Any, forward: bool) -> list[Any]:
        order = [k.ordered(reverse=not forward) for k in keys]
        ids = rows.with_only_columns(id_column).order_by(*order).limit(per_page + 1)
        if anchor is not None:
            ids = ids.where(_beyond(keys, anchor, forward))
        statement = rows.options(*options).where(id_column.in_(ids)).order_by(*order)
        found = list(db.session.execute(statement).unique().scalars())
        return found if forward else found[::-1]

    return _page(cursor, anchor, fetch, total, per_page)


def grouped_keyset_page(
    rows: Select,
    group: ColumnElement[Any],
    groups: Sequence[Any],
    keys: Sequence[SortKey],
    cursor: Cursor,
    *,
    per_page: int,
    options: Sequence[Any] = (),
) -> KeysetPage:
    """A page of ``rows`` ordered by ``group`` in the order of ``groups`` (every value the
    rows may have, e.g. category ids by round and position), then by ``keys`` within a group
    (the last one the entity's unique id).

    Three queries: the boundary row (when the cursor names one), the number of rows per group
    (which gives the total and which groups the page reaches), and the page: a part from each
    group it reaches, each read from an index on (group, keys) and at most a page long, with
    the rows themselves and ``options`` (eager loads), in one statement.
    """
    id_column = keys[-1].column
    rank = {value: position for position, value in enumerate(groups)}
    anchor = None
    if cursor.named is not None:
        found = db.session.execute(
            rows.with_only_columns(group, *(k.column for k in keys)).where(
                id_column == cursor.named
            )
        ).first()
        anchor = found if found is not None and found[0] in rank else None
    counts = dict(
        db.session.execute(
            rows.with_only_columns(group, func.count(id_column)).group_by(group).order_by(None)
        ).all()
    )

    def reached(anchor: Any, forward: bool) -> list[Any]:
        """The groups the page reaches: the anchor's, then the following ones until they
        hold more than a page."""
        ordered = [g for g in (groups if forward else groups[::-1]) if counts.get(g)]
        if anchor is not None:
            ordered = ordered[ordered.index(anchor[0]) :]
        chosen, holding = [], 0
        for value in ordered:
            chosen.append(value)
            holding += 0 if anchor is not None and value == anchor[0] else counts[value]
            if holding > per_page:
                break
        return chosen

    def fetch(anchor: Any, forward: bool) -> list[Any]:
        parts = []
        for value in reached(anchor, forward):
            part = (
                rows.with_only_columns(
                    id_column.label("row_id"),
                    literal_column(str(int(rank[value]))).label("group_rank"),
                    *(k.column.label(f"key_{n}") for n, k in enumerate(keys)),
                )
                .where(group == value)
                .order_by(*(k.ordered(reverse=not forward) for k in keys))
                .limit(per_page + 1)
            )
            if anchor is not None and value == anchor[0]:
                part = part.where(_beyond(keys, anchor[1:], forward))
            parts.append(db.select(part.subquery()))  # its own ORDER BY and LIMIT (SQLite)
        if not parts:
            return []
        page = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
        order = [page.c.group_rank.asc() if forward else page.c.group_rank.desc()]
        order += [k.ordered(not forward, page.c[f"key_{n}"]) for n, k in enumerate(keys)]
        statement = (
            rows.options(*options)
            .join(page, page.c.row_id == id_column)
            .order_by(*order)
            .limit(per_page + 1)
        )
        found = list(db.session.execute(statement).unique().scalars())
        return found if forward else found[::-1]

    return _page(cursor, anchor, fetch, sum(counts.values()), per_page)


def page_args(args: Mapping[str, str], **cursor: Any) -> dict[str, str]:
    """The request's query arguments (filters, sort order) with ``cursor`` in place of the
    current one: the arguments of a link to another page of the same list."""
    kept = {name: value for name, value in args.items() if name not in CURSOR_ARGS}
    return kept | {name: str(value) for name, value in cursor.items()}
