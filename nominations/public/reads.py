"""One statement, read on its own: the public pages' one query, without a transaction around it.

A statement in a transaction of its own costs the database three round trips: BEGIN, the
statement, ROLLBACK (the unit of work ends every GET with one). A single SELECT sees one
consistent snapshot by itself, so the public pages that read one statement (the calls page,
the calls feed) read it in autocommit mode: one round trip, and the request's session never
opens a transaction at all.

When the request is already in a transaction (a signed-in visitor: loading him began it),
the statement joins it, so that everything the page shows comes from one snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, Row

from nominations.models import db


def rows(statement: Executable, parameters: dict[str, Any]) -> Sequence[Row]:
    session = db.session()
    if session.in_transaction():
        return session.connection().execute(statement, parameters).all()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.execute(statement, parameters).all()
