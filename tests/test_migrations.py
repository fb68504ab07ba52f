"""The migrations build exactly the models' schema, and can go down and up again, on SQLite
and on PostgreSQL.

The PostgreSQL run uses a database of its own, because it needs an empty schema: the one named
by ``MIGRATIONS_DATABASE_URL``, else ``<name>_migrations`` beside ``TEST_DATABASE_URL``'s
database, else ``test_migrations`` on 127.0.0.1:5432 (the derived names end in the xdist
worker, ``test_migrations_gw0``, when the suite runs in parallel). It is created when missing
(through the ``postgres`` maintenance database) and emptied before each run. Only an
unreachable PostgreSQL server skips the test; every other failure fails it.
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

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
    else:
        if environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
            url = make_url(environ["TEST_DATABASE_URL"])
            url = url.set(database=f"{url.database}_migrations")
        else:
            url = make_url(DEFAULT_SERVER).set(database="test_migrations")
        if environ.get("PYTEST_XDIST_WORKER"):  # one per xdist worker: test_migrations_gw0
            url = url.set(database=f"{url.database}_{environ['PYTEST_XDIST_WORKER']}")
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
    assert postgres_migrations_url({"PYTEST_XDIST_WORKER": "gw1"}).endswith("/test_migrations_gw1")
    assert (
        postgres_migrations_url(
            {
                "TEST_DATABASE_URL": "postgresql://127.0.0.1/ci",
                "MIGRATIONS_DATABASE_URL": "postgresql://u:p@127.0.0.1/mine",
            }
        )
        == "postgresql+psycopg://u:p@127.0.0.1/mine"
    )


def test_reminders_sent_before_the_upgrade_are_not_sent_again(empty_database):
    """0003 fills ``reminder_sends`` from the outbox's reminder keys: a "7 days before" reminder
    queued before an admin moved the closing a day later is not repeated after the upgrade."""
    from nominations.models import OutboxMessage, ReminderKind, ReminderSend
    from nominations.workflow.reminders.sending import reminder_key, send_due_reminders
    from tests import factories

    closes = datetime(2030, 3, 7, 22, 59, 59, tzinfo=UTC)
    old_closing = closes - timedelta(days=1)  # the closing when the reminder went out
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        try:
            # The people and the round are made with today's models, then the schema goes
            # back to 0002 (the rows stay) to hold outbox rows as 0002 wrote them.
            upgrade()
            staff = factories.user("staff@example.org")
            award_round = factories.award_round(
                opens_at=closes - timedelta(days=20), closes_at=closes
            )
            db.session.commit()
            round_id, user_id, opens_at = award_round.id, staff.id, award_round.opens_at
            db.session.remove()
            downgrade(revision="0002_sessions")
            old_keys = {
                reminder_key(ReminderKind.CALL_OPENED, round_id, None, user_id): opens_at,
                reminder_key(
                    ReminderKind.CALL_CLOSING, round_id, 7, user_id, old_closing
                ): old_closing - timedelta(days=7, hours=-1),
                f"lifecycle:close_summary:r{round_id}:u{user_id}": closes,  # not a reminder
            }
            for key, queued_at in old_keys.items():
                db.session.add(
                    OutboxMessage(
                        dedupe_key=key,
                        recipient="staff@example.org",
                        subject="s",
                        body_text="b",
                        created_at=queued_at,
                        next_attempt_at=queued_at,
                    )
                )
            db.session.commit()
            db.session.remove()

            upgrade()
            sends = (
                db.session.execute(db.select(ReminderSend).order_by(ReminderSend.id))
                .scalars()
                .all()
            )
            assert [
                (s.round_id, s.kind, s.user_id, s.days_before, s.due_for, s.queued_at)
                for s in sends
            ] == [
                (round_id, "call_opened", user_id, 0, opens_at, opens_at),
                (
                    round_id,
                    "call_closing",
                    user_id,
                    7,
                    old_closing,
                    old_closing - timedelta(days=7, hours=-1),
                ),
            ]
            assert all(s.outbox_message_id for s in sends)

            report = send_due_reminders(closes - timedelta(days=7, hours=-1))
            assert report.queued == 0 and not report.errors
            assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar() == 3
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_downgrade_that_would_lose_documents_is_refused(empty_database, capsys):
    """Below 0008 there is no table for documents kept in the database: going down while it
    holds some would delete them, so it is refused until they are moved to the folder."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        try:
            upgrade()
            db.session.execute(
                text("INSERT INTO document_chunks (stored_name, seq, data) VALUES (:n, 0, :d)"),
                {"n": "0" * 32 + ".pdf", "d": b"%PDF-1.7\n"},
            )
            db.session.commit()
            with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits 1
                downgrade(revision="0007_departments")
            assert "documents move --to local` before downgrading" in capsys.readouterr().err
            db.session.remove()
            assert "document_chunks" in _tables()
            db.session.execute(text("DELETE FROM document_chunks"))
            db.session.commit()
            downgrade(revision="0007_departments")  # nothing to lose now
            assert "document_chunks" not in _tables()
        finally:
            db.session.remove()
            db.engine.dispose()
