"""Pooled connections are pinged before use only after sitting idle (connection_check.py), not
at every checkout: a connection that died while idle is replaced before a request sees it; one
used moments ago is trusted, and if it did die, one request gets the "database unavailable"
page and the pool recovers by itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nominations.models import db
from tests import factories
from tests.conftest import make_test_app
from tests.multiprocess_support import own_database, rebuild_schema, wait_for

pytestmark = pytest.mark.postgres


@pytest.fixture
def database() -> Iterator[str]:
    with own_database(
        "CONNECTION_CHECK_DATABASE_URL", "postgresql://127.0.0.1:5432/test_connection_check"
    ) as url:
        yield url


@pytest.fixture
def app_checking_after(database, tmp_path):
    """A factory: the app on the test's database, checking connections idle this long."""
    made = []

    def make(idle_seconds: float):
        app = make_test_app(
            database, tmp_path / "uploads", DATABASE_CHECK_IDLE_SECONDS=idle_seconds
        )
        context = app.app_context()
        context.push()
        made.append((app, context))
        rebuild_schema()
        factories.category(factories.award_round())
        db.session.commit()
        return app

    yield make
    for _, context in made:
        db.session.remove()
        db.engine.dispose()
        context.pop()


def _kill_the_apps_connections(url: str) -> None:
    """What a database restart does to the pooled connections: ended from the server side."""
    name = make_url(url).database
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    others = "datname = :name AND pid <> pg_backend_pid()"
    with engine.connect() as connection:
        connection.execute(
            text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {others}"),
            {"name": name},
        )
        wait_for(
            lambda: (
                not connection.execute(
                    text(f"SELECT count(*) FROM pg_stat_activity WHERE {others}"), {"name": name}
                ).scalar()
            ),
            10,
            "the terminated connections to be gone",
        )
    engine.dispose()


def test_a_connection_that_died_while_idle_is_replaced_before_the_request_uses_it(
    app_checking_after, database
):
    client = app_checking_after(0).test_client()  # every reused connection counts as idle
    assert client.get("/calls.json").status_code == 200

    _kill_the_apps_connections(database)

    assert client.get("/calls.json").status_code == 200


def test_a_connection_used_moments_ago_is_not_pinged_and_the_pool_recovers_after_one_failure(
    app_checking_after, database
):
    client = app_checking_after(3600).test_client()
    assert client.get("/calls.json").status_code == 200

    _kill_the_apps_connections(database)

    failed = client.get("/calls.json")
    assert failed.status_code == 503 and failed.headers["Retry-After"]
    assert client.get("/calls.json").status_code == 200
