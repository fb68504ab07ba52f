"""Declarative base, naming convention and the UTC datetime type shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so that Alembic migrations do not depend on the database's choices.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The highest page number a list answers (far past the end of any list); ?page=10**20 would
# otherwise become an OFFSET no database column type holds (a server error, not an empty page).
MAX_PAGE = 100_000


class Database(SQLAlchemy):
    def paginate(self, select, *, page: int | None = None, **kwargs):
        """Flask-SQLAlchemy's ``paginate``, with the ``page`` asked for in the URL bounded by
        ``MAX_PAGE`` (what is not a number is left to Flask-SQLAlchemy: 404 or page 1)."""
        if page is None and has_request_context():
            try:
                asked = int(request.args.get("page", 1))
            except (TypeError, ValueError):
                asked = None
            if asked is not None and asked > MAX_PAGE:
                page = MAX_PAGE
        return super().paginate(select, page=page, **kwargs)


db = Database(model_class=Base)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC and always returned aware in UTC.

    SQLite drops the offset of ``DateTime(timezone=True)``; converting on the way in and
    restoring UTC on the way out gives the same behaviour on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store aware datetimes only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
