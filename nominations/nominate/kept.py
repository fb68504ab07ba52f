"""Nothing typed is lost when a nomination form arrives too late for its sign-in or its CSRF
token (issue 12, point 6).

Instead of a bare "form expired" page or a redirect to the sign-in page (which drops the POST),
the answer shows what was typed and a form that sends it again to the same address, with a
fresh CSRF token. Nothing is stored before the sender is signed in and the token checks out, so
this page never writes; it only carries the text (files cannot be carried: the page says so).

- CSRF token expired (still signed in): press the button, and the form is processed as usual.
- Sign-in expired: sign in in a new tab (the link opens one, and comes back to the start page
  there), then press the button on this page. Signing in starts a new session, so that press
  may meet an expired token once more: then this page comes back, signed in now, with a valid
  token, and the next press sends it. Either way the text stays in this page until it is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from nominations.nominate import bp

# Form fields that are not the nominator's typing: never carried or shown.
NOT_CARRIED = frozenset({"csrf_token"})
BUTTONS = {
    "submit_nomination": _l("Submit nomination"),
    "save_changes": _l("Save changes"),
    "save_draft": _l("Save draft"),
}
# Shown with the typed values, in this order; other carried fields (ids) go along unseen.
SHOWN = {
    "nominee_name": _l("Nominee's name"),
    "nominee_email": _l("Nominee's e-mail"),
    "nominee_position": _l("Nominee's position"),
    "nominee_phd_date": _l("Date of the nominee's PhD"),
    "statement": _l("Statement in support of the nominee"),
}
FORM_ENDPOINTS = frozenset({"nominate.new", "nominate.edit"})


def render_kept(*, signed_out: bool, status: int):
    typed = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in NOT_CARRIED and name not in BUTTONS
    ]
    pressed = [name for name in BUTTONS if name in request.form] or ["save_draft"]
    return render_template(
        "nominate/kept.html",
        typed=typed,
        shown=[(SHOWN[name], value) for name, value in typed if name in SHOWN and value],
        button=(pressed[0], BUTTONS[pressed[0]]),
        files_dropped=any(f.filename for f in request.files.values()),
        signed_out=signed_out,
    ), status


def keeps_typed_text(view: Callable) -> Callable:
    """A POST from someone whose sign-in has expired gets the kept page, not a redirect that
    would drop what was typed (place it above the sign-in check)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method == "POST" and not current_user.is_authenticated:
            return render_kept(signed_out=True, status=401)
        return view(*args, **kwargs)

    return wrapped


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError):
    if request.endpoint not in FORM_ENDPOINTS:
        from nominations.errors import MESSAGES

        return render_template(
            "errors/error.html",
            code=400,
            title=MESSAGES[400][0],
            message=gettext(
                "The form expired or was sent from elsewhere. Reload the page and try again."
            ),
        ), 400
    return render_kept(signed_out=not current_user.is_authenticated, status=400)
