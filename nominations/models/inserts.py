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


def insert_many_once(model: type, rows: list[dict], unique_columns: list, returning: list) -> list:
    """``insert_once`` for many rows in a few statements: the rows whose unique columns are
    taken already are skipped; answers the ``returning`` columns of the rows written.

    SQLAlchemy sends the rows in batches ("insertmanyvalues"), each one multi-row INSERT with
    RETURNING, within the database's parameter limits.
    """
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = (
        insert(model.__table__)
        .on_conflict_do_nothing(index_elements=unique_columns)
        .returning(*returning)
    )
    return list(db.session.execute(statement, rows).all())
