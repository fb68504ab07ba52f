"""Health checks: the database, the schema version and the scheduler."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text

from nominations import PROJECT_ROOT
from nominations.models import SchedulerLease, db
from nominations.timeutil import now


def expected_revision() -> str | None:
    script = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    return script.get_current_head()


def current_revision() -> str | None:
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        db.session.rollback()
        return None


def scheduler_state() -> dict:
    lease = db.session.get(SchedulerLease, "scheduler")
    if lease is None:
        return {"state": "never started", "last_heartbeat": None, "holder": None}
    alive = lease.expires_at > now()
    return {
        "state": "running" if alive else "stopped",
        "last_heartbeat": lease.heartbeat_at.isoformat(),
        "holder": lease.holder,
    }


def report() -> tuple[dict, bool]:
    result: dict = {"status": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        result["database"] = "reachable"
    except Exception as error:  # the page must answer even when the database does not
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable: %s", error)
        return {"status": "error", "database": "unreachable"}, False
    expected, current = expected_revision(), current_revision()
    result["schema"] = {
        "current": current,
        "expected": expected,
        "up_to_date": current == expected,
    }
    try:
        result["scheduler"] = scheduler_state()
    except Exception:  # not migrated yet: the schema entry above says so
        db.session.rollback()
        result["scheduler"] = {"state": "unknown", "last_heartbeat": None, "holder": None}
    healthy = current == expected
    if not healthy:
        result["status"] = "error"
    return result, healthy
