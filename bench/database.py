"""The benchmark's own PostgreSQL database: created empty, brought up by the migrations (as in
production, so every index a migration adds counts), dropped at the end. Never `test`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from bench.settings import SECRET_KEY, output_dir
from nominations import create_app
from nominations.models import db


def _maintenance(url: str) -> Engine:
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate(url: str) -> None:
    name = make_url(url).database
    if not name or name in ("test", "postgres") or not name.startswith("bench"):
        raise RuntimeError(f"refusing to recreate database {name!r}: not a bench database")
    engine = _maintenance(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop(url: str) -> None:
    name = make_url(url).database
    engine = _maintenance(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def project_app(url: str, **overrides) -> Flask:
    """The project's app with the production settings, on the benchmark's database, for the
    measures that call the project's functions in this process."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": SECRET_KEY,
        "BASE_URL": "https://awards.example.org",
        "INSTANCE_PATH": str(output_dir() / "instance"),
    }
    settings.update(overrides)
    app = create_app("production", settings)
    logging.getLogger().setLevel(logging.WARNING)  # create_app asks for INFO
    return app


def migrate(app: Flask) -> None:
    logging.disable(logging.INFO)  # Alembic names every migration it runs
    try:
        with app.app_context():
            upgrade()
    finally:
        logging.disable(logging.NOTSET)


@contextmanager
def in_app(app: Flask) -> Iterator[None]:
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def analyze(app: Flask) -> None:
    """Fresh planner statistics after the bulk inserts, as autovacuum would give them soon."""
    with app.app_context(), db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
