"""Checking a pooled database connection before use, only when it has been idle a while.

SQLAlchemy's ``pool_pre_ping`` checks every connection at every checkout: a round trip to the
database on every request, which under load costs the busiest pages a fifth of their time. A
connection returned moments ago by the previous request is as alive as a connection gets, so
here only one that sat unused in the pool for ``DATABASE_CHECK_IDLE_SECONDS`` or more is
pinged first (a dead one is replaced before the request sees it: the database restarted, a
firewall dropped the idle connection). A connection that dies while in steady use fails one
request with the "database unavailable" page (errors.py), and SQLAlchemy then replaces every
connection of the pool made before the failure.
"""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from nominations.extensions import db

RETURNED_AT = "returned_at"


def init_app(app: Flask) -> None:
    idle = float(app.config["DATABASE_CHECK_IDLE_SECONDS"])
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name != "sqlite":  # a file on this host: nothing to lose touch with
            watch(engine, idle)


def watch(engine: Engine, idle_seconds: float) -> None:
    def note_return(dbapi_connection, record) -> None:
        record.info[RETURNED_AT] = time.monotonic()

    def check_if_idle(dbapi_connection, record, proxy) -> None:
        returned = record.info.get(RETURNED_AT)  # None: connected just now
        if returned is None or time.monotonic() - returned < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool throws this connection away and checks out another (SQLAlchemy's
            # documented way for a custom check).
            raise exc.DisconnectionError(f"an idle connection was dead: {error}") from error

    event.listen(engine, "checkin", note_return)
    event.listen(engine, "checkout", check_if_idle)
