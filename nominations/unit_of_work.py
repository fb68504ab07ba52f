"""One unit of work per request, CLI command and job.

Workflow functions change and flush; the edge that called them commits once, or rolls back
when anything failed, so a view that calls two workflow functions can never leave half a
change behind. A request commits when its answer is a success or a redirect (< 400) and rolls
back otherwise (a refused form, an error page).

A GET (or HEAD, OPTIONS) never writes: its changes are rolled back, never committed, and with
``STRICT_SAFE_METHODS`` (on in the tests) a flush during one is an error, so a page that
starts writing fails the suite by name. The one exception is a view marked
:func:`writes_on_get`: a protocol's redirect back to us that is a GET by definition (the OpenID
Connect callback signs a person in); it commits like a POST.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from nominations.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SafeMethodWrote(RuntimeError):
    """A GET (or HEAD, OPTIONS) request flushed changes to the database."""


def writes_on_get(view: Callable) -> Callable:
    """Mark ``view`` as a GET that changes data by design (place it under ``@bp.route``)."""
    view.writes_on_get = True  # type: ignore[attr-defined]
    return view


def _writes_on_get(app: Flask) -> bool:
    view = app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "writes_on_get", False))


@contextmanager
def transaction() -> Iterator[None]:
    """The edge of a CLI command or a job: commit once at the end, roll back on any error."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _note_flush(session: Session, flush_context: object) -> None:
    if has_request_context() and request.method in SAFE_METHODS:
        g.safe_method_wrote = True


def init_app(app: Flask) -> None:
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)

    @app.after_request
    def end_unit_of_work(response: Response) -> Response:
        if not db.session.registry.has() and "safe_method_wrote" not in g:
            return response  # the request never opened a session: nothing to end
        if request.method in SAFE_METHODS and not _writes_on_get(app):
            wrote = g.pop("safe_method_wrote", False) or bool(
                db.session.new or db.session.dirty or db.session.deleted
            )
            db.session.rollback()
            if wrote and app.config.get("STRICT_SAFE_METHODS"):
                raise SafeMethodWrote(f"{request.method} {request.path} wrote to the database")
        elif response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response
