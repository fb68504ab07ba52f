"""URL converters. Every ``<int:...>`` in a route is a row id: the ``int`` converter here
accepts only 1..2**31-1 (PostgreSQL's ``integer``), so a URL with an id out of the columns'
range is a 404 before any query runs (PostgreSQL would refuse the query: a 500)."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """An id: digits only (no sign), 1..MAX_ID."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Before the blueprints: a rule takes its converter when it is added."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["id"] = IdConverter


def valid_id(value: object) -> int | None:
    """A query-string or form id as an int in the id range, else None."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None
