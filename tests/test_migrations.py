"""The migrations build exactly the models' schema, and can go down and up again, on SQLite
and on PostgreSQL.

The PostgreSQL run uses a database of its own, because it needs an empty schema: the one named
by ``MIGRATIONS_DATABASE_URL``, else ``<name>_migrations`` beside ``TEST_DATABASE_URL``'s
database, else ``test_migrations`` on 127.0.0.1:5432. It is created when missing (through the
``postgres`` maintenance database) and emptied before each run. Only an unreachable PostgreSQL
server skips the test; every other failure fails it.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from nominations import create_app
from nominations.models import db

DEFAULT_SERVER = "postgresql+psycopg://127.0.0.1:5432/postgres"
# Serialises runs that share one migrations database (two checkouts testing at once).
LOCK_KEY = zlib.crc32(b"nominations test_migrations")


def postgres_migrations_url(environ=os.environ) -> str:
    """Where the PostgreSQL migration test runs (see the module docstring)."""
    if environ.get("MIGRATIONS_DATABASE_URL"):
        url = make_url(environ["MIGRATIONS_DATABASE_URL"])
    elif environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
        url = make_url(environ["TEST_DATABASE_URL"])
        url = url.set(database=f"{url.database}_migrations")
    else:
        url = make_url(DEFAULT_SERVER).set(database="test_migrations")
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _maintenance_connection(url: str) -> Connection:
    server = make_url(url).set(database="postgres")
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        return engine.connect()
    except OperationalError as error:
        engine.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {server.host}:{server.port}: {error.orig}")


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """An empty PostgreSQL database for migrations, created when missing, locked while used."""
    url = postgres_migrations_url()
    name = make_url(url).database
    with _maintenance_connection(url) as maintenance:
        maintenance.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        try:
            exists = maintenance.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if not exists:
                with contextlib.suppress(ProgrammingError):  # created meanwhile elsewhere
                    maintenance.execute(text(f'CREATE DATABASE "{name}"'))
            engine = create_engine(url)
            with engine.begin() as connection:
                # Whatever an interrupted earlier run left behind.
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            engine.dispose()
            yield url
        finally:
            maintenance.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        maintenance.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    return request.getfixturevalue("postgres_database")


def _differences(metadata: sa.MetaData | None = None) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata if metadata is not None else db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_upgrade_from_empty_reaches_the_models_and_round_trips(empty_database):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    model_tables = set(db.metadata.tables)
    with app.app_context():
        try:
            assert _tables() == set()
            upgrade()
            assert _tables() == model_tables | {"alembic_version"}
            assert _differences() == []
            downgrade(revision="base")
            assert _tables() == {"alembic_version"}
            upgrade()
            assert _differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_model_change_without_a_migration_is_found(empty_database):
    """The comparison above can fail: a column the migrations lack shows as a difference."""
    changed = sa.MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["departments"].append_column(sa.Column("not_migrated", sa.String(20)))
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        try:
            upgrade()
            differences = _differences(changed)
            assert [d[0] for d in differences] == ["add_column"]
            assert differences[0][3].name == "not_migrated"
            assert _differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()


def test_postgres_migrations_database_is_chosen_from_the_environment():
    assert postgres_migrations_url({}).endswith("127.0.0.1:5432/test_migrations")
    assert postgres_migrations_url(
        {"TEST_DATABASE_URL": "postgresql://db.example.org:5433/ci"}
    ).endswith("db.example.org:5433/ci_migrations")
    assert (
        postgres_migrations_url(
            {
                "TEST_DATABASE_URL": "postgresql://127.0.0.1/ci",
                "MIGRATIONS_DATABASE_URL": "postgresql://u:p@127.0.0.1/mine",
            }
        )
        == "postgresql+psycopg://u:p@127.0.0.1/mine"
    )
