"""One unit of work: the request commits once, or rolls back; a GET never writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, abort, redirect

from nominations.extensions import csrf
from nominations.models import Department, db
from nominations.unit_of_work import SafeMethodWrote, transaction
from tests.conftest import _empty_tables, make_test_app


def _names() -> set[str]:
    return set(db.session.execute(db.select(Department.name)).scalars())


def _app(database_url, tmp_path, **overrides) -> Flask:
    app = make_test_app(database_url, tmp_path / "uploads", **overrides)

    @app.post("/_test/two-steps/<outcome>")
    @csrf.exempt
    def two_steps(outcome: str):
        # Two "workflow functions": each changes and flushes; the edge decides.
        db.session.add(Department(name="First step"))
        db.session.flush()
        db.session.add(Department(name="Second step"))
        db.session.flush()
        if outcome == "refused":
            abort(400)
        if outcome == "crash":
            raise RuntimeError("the second step failed")
        return redirect("/")

    @app.get("/_test/writes-on-get")
    def writes_on_get():
        db.session.add(Department(name="Written by a GET"))
        db.session.flush()
        return "shown"

    return app


@pytest.fixture
def edge(database_url, tmp_path) -> Iterator[Flask]:
    app = _app(database_url, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()


def test_a_successful_post_commits_both_steps_once(edge):
    response = edge.test_client().post("/_test/two-steps/ok")
    assert response.status_code == 302
    db.session.remove()  # a fresh session sees only what was committed
    assert _names() == {"First step", "Second step"}


@pytest.mark.parametrize("outcome", ["refused", "crash"])
def test_a_failed_request_leaves_no_half_change(edge, outcome):
    edge.config["PROPAGATE_EXCEPTIONS"] = False
    response = edge.test_client().post(f"/_test/two-steps/{outcome}")
    assert response.status_code in (400, 500)
    db.session.remove()
    assert _names() == set()


def test_a_get_that_writes_fails_in_the_tests(edge):
    with pytest.raises(SafeMethodWrote, match="GET /_test/writes-on-get"):
        edge.test_client().get("/_test/writes-on-get")
    db.session.remove()
    assert _names() == set()


def test_a_get_that_writes_is_never_committed_in_production(database_url, tmp_path):
    app = _app(database_url, tmp_path, STRICT_SAFE_METHODS=False)
    with app.app_context():
        try:
            assert app.test_client().get("/_test/writes-on-get").status_code == 200
            db.session.remove()
            assert _names() == set()
        finally:
            db.session.remove()
            _empty_tables()


def test_a_command_or_job_commits_once_or_not_at_all(app):
    with transaction():
        db.session.add(Department(name="Kept"))
    with pytest.raises(RuntimeError), transaction():
        db.session.add(Department(name="Lost"))
        db.session.flush()
        raise RuntimeError("the job failed half-way")
    db.session.remove()
    assert _names() == {"Kept"}
