"""Shared fixtures: an app on a real database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), HTTP clients with CSRF on, and factories for the domain."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, current_app, g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text

from nominations import create_app
from nominations.models import db
from tests import factories
from tests.smtp import SMTPServer

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SLOW_KINDS = ("browser", "multiprocess")  # a browser or processes of their own: seconds each


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser and multi-process test is also ``slow``: ``pytest -m "not slow"`` is the
    quick run. (Marked here, once, so that no new such test can forget it.)"""
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)


def _database_url(tmp_root: Path) -> str:
    """SQLite in the session's temporary folder (one per xdist worker already), or
    TEST_DATABASE_URL; a PostgreSQL one gets a database per xdist worker (``test_gw0``, ...)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_root / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and url.startswith("postgres"):
        return _postgres_database_for(url, worker)
    return url


def _postgres_database_for(url: str, worker: str) -> str:
    """``<database>_<worker>`` beside TEST_DATABASE_URL's database, created when missing."""
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    server = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        server.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory.mktemp("db"))
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    return url


def _empty_tables() -> None:
    """DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table took about 0.4 s per test
    (new files for each table), a DELETE of one test's few rows takes about 10 ms. The ids
    start again at 1, as they do on SQLite."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c "
                "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
            )
        )
    db.session.commit()


@pytest.fixture
def app_overrides() -> dict:
    """Extra settings for the app; a test module overrides this fixture to change them."""
    return {}


@pytest.fixture
def document_storage() -> str:
    """DOCUMENT_STORAGE for the app; a module runs on both back-ends by parametrizing it
    (tests/documents.py)."""
    return "local"


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server on 127.0.0.1; use with ``app_overrides`` returning its settings."""
    with SMTPServer() as server:
        yield server


def make_test_app(database_url: str, uploads: Path, **overrides) -> Flask:
    """The app as the tests use it: the test database, its own uploads, CSRF on, and the
    test client that fetches CSRF tokens like a browser."""
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(uploads),
            "WTF_CSRF_ENABLED": True,
            "BASE_URL": "http://localhost",
            **overrides,
        },
    )
    app.test_client_class = Client
    return app


@pytest.fixture
def app(database_url, tmp_path, app_overrides, document_storage) -> Iterator[Flask]:
    app = make_test_app(
        database_url,
        tmp_path / "uploads",
        **{"DOCUMENT_STORAGE": document_storage, **app_overrides},
    )
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


class Client(FlaskClient):
    """A test client that posts forms the way a browser does: with the page's CSRF token."""

    def open(self, *args, **kwargs):
        # The `app` fixture keeps one app context open for the whole test and Flask reuses it
        # for every request, so `g` would carry one request's cached values (Flask-WTF's CSRF
        # token, Flask-Login's user) into the next, even into another client's request.
        # A real server starts each request with an empty `g`; so do we.
        if has_app_context() and current_app._get_current_object() is self.application:
            g.__dict__.clear()
        return super().open(*args, **kwargs)

    def csrf_token(self, page: str) -> str:
        response = self.get(page)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {page} ({response.status_code})"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, page: str | None = None, **kwargs):
        data = dict(data or {})
        data["csrf_token"] = self.csrf_token(page or url)
        return self.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = factories.PASSWORD):
        response = self.submit("/login", {"email": email, "password": password})
        assert response.status_code == 302, "login failed"
        return response


@pytest.fixture
def client(app) -> Client:
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def make_client(app):
    """Several independent browsers (one per user)."""

    def make(email: str | None = None) -> Client:
        app.test_client_class = Client
        new = app.test_client()
        if email:
            new.login(email)
        return new

    return make


@pytest.fixture
def admin(app):
    return factories.user("admin@example.org", "Ada Admin", roles=("staff", "admin"))


@pytest.fixture
def staff(app):
    return factories.user("staff@example.org", "Sam Staff")


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` then ``counter.count``."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
