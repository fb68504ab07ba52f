"""INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from nominations.models.base import db


def insert_once(model: type, values: dict, unique_columns: list) -> int | None:
    """Insert a row unless one with the same unique columns exists; the new row's id, or None.

    The unique key in the database, not a check in Python, is what makes the row exist at
    most once, even with two processes inserting it at the same moment.
    """
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique_columns)
        .returning(model.id)
    )
    # RETURNING, not rowcount: psycopg reports -1 for a skipped or written row alike here.
    return db.session.execute(statement).scalar_one_or_none()


def insert_many_once(
    model: type, rows: list[dict], unique_columns: list, returning: list | None = None
) -> list:
    """``insert_once`` for many rows: the rows whose unique columns are taken already are
    skipped; answers the ``returning`` columns of the rows written.

    With ``returning``, SQLAlchemy sends the rows in batches ("insertmanyvalues"), each one
    multi-row INSERT with RETURNING. Without, the driver sends one short statement per row in a
    single pipeline (psycopg's executemany), several times faster for large rows; the caller
    then learns nothing about which rows were new.
    """
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = insert(model.__table__).on_conflict_do_nothing(index_elements=unique_columns)
    if not returning:
        db.session.execute(statement, rows)
        return []
    return list(db.session.execute(statement.returning(*returning), rows).all())


def insert_select_once(
    model: type, columns: list[str], select, unique_columns: list, returning: list
) -> list:
    """``INSERT INTO model (columns) SELECT ... ON CONFLICT DO NOTHING RETURNING``: rows made
    by a query (e.g. one per person, the rest constants) in one statement; the ``returning``
    columns of the rows written. ``select`` needs a WHERE clause (SQLite's grammar)."""
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = (
        insert(model.__table__)
        .from_select(columns, select)
        .on_conflict_do_nothing(index_elements=unique_columns)
        .returning(*returning)
    )
    return list(db.session.execute(statement).all())
