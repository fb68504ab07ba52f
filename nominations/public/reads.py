"""The public pages' one query, read on its own, and what is worked out from its rows, kept.

A statement in a transaction of its own costs the database three round trips: BEGIN, the
statement, ROLLBACK (the unit of work ends every GET with one). A single SELECT sees one
consistent snapshot by itself, so the public pages that read one statement (the calls page,
the calls feed) read it in autocommit mode: one round trip, and the request's session never
opens a transaction at all.

When the request is already in a transaction (a signed-in visitor: loading him began it),
the statement joins it, so that everything the page shows comes from one snapshot.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import Executable, Row

from nominations.models import db


def rows(statement: Executable, parameters: dict[str, Any]) -> Sequence[Row]:
    if db.session.registry.has() and db.session().in_transaction():
        return db.session.connection().execute(statement, parameters).all()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.execute(statement, parameters).all()


class KeptByContent:
    """What is worked out from rows (rendered sections, a serialized feed), kept under the rows
    themselves: other rows, another entry. The last ``size`` contents are kept. One per app
    (:func:`kept`): what is kept depends on the app's settings (time zone, URLs)."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            value = self._entries.get(key, _MISSING)
            if value is not _MISSING:
                self._entries.move_to_end(key)
                return value
        value = make()
        with self._lock:
            value = self._entries.setdefault(key, value)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_MISSING = object()


def kept(name: str) -> KeptByContent:
    """The app's store of that name."""
    stores = current_app.extensions.setdefault("kept_by_content", {})
    store = stores.get(name)
    if store is None:
        store = stores.setdefault(name, KeptByContent())
    return store
