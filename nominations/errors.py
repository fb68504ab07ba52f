"""Styled error pages, without stack traces, in the reader's language."""

from __future__ import annotations

from contextlib import suppress

from flask import Flask, g, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from nominations.workflow.errors import PermissionDenied

# Never echoed back on the "database unavailable" page.
UNSHOWN_FIELDS = frozenset({"password", "password_confirm", "new_password"})

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Not found"), _l("There is nothing here, or you do not have access to it.")),
    405: (_l("Method not allowed"), _l("This page does not accept that kind of request.")),
    413: (_l("Too large"), _l("The upload is larger than the server accepts.")),
    429: (_l("Too many requests"), _l("Too many attempts. Wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Please try again later.")),
}


def _render(code: int, detail: str | None = None):
    if code >= 500:
        from nominations.extensions import db

        db.session.rollback()
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
        return jsonify(error=str(title), message=str(detail or message)), code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, lambda e, code=code: _render(code))

    @app.errorhandler(PermissionDenied)
    def refused(error: PermissionDenied):
        """The one place a refused policy becomes an answer (views just call authorize)."""
        from flask_login import current_user

        from nominations.extensions import login_manager

        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if getattr(error, "hidden", False):
            # Word for word the page of an object that does not exist: a rule's own text
            # here would tell the two apart.
            return _render(404)
        return _render(403, error.message)  # which rule, in the reader's language

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(DisconnectionError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: Exception):
        """The database cannot be reached (an outage, a restart, a fail-over): 503 with
        Retry-After, and for a form that was sent, what was typed, to send again."""
        from nominations.extensions import db, login_manager

        app.logger.warning("database unavailable: %s", error)
        if "_login_user" in g:  # the person was read before the database went away: settle
            # the page's language now, from the account still in memory (else the session or
            # the browser decides)
            with suppress(Exception):
                get_locale()
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the pool replaces it next time
            db.session.invalidate()
        # The page must not touch the database again: show it as to a visitor.
        g._login_user = login_manager.anonymous_user()
        retry = app.config["DATABASE_RETRY_AFTER_SECONDS"]
        headers = {"Retry-After": str(retry)}
        if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
            message = _("The database is not reachable just now; nothing was changed.")
            return jsonify(error=_("Service unavailable"), message=message), 503, headers
        typed = [
            (name, value)
            for name, value in request.form.items(multi=True)
            if name not in UNSHOWN_FIELDS and value
        ]
        page = render_template(
            "errors/unavailable.html", retry=retry, typed=typed, resend=request.method == "POST"
        )
        return page, 503, headers

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(
            400, _("The form expired or was sent from elsewhere. Reload the page and try again.")
        )
