"""The language switch in the header: a person's choice of bokmål or English."""

from __future__ import annotations

from flask import abort, redirect, request, session, url_for
from flask_login import current_user

from nominations.auth.access import safe_next
from nominations.languages import LANGUAGES, SESSION_KEY
from nominations.public import bp
from nominations.workflow.accounts import choose_language


@bp.route("/language", methods=["POST"])
def choose():
    """Stored on the account of a signed-in person (their e-mails follow it too), in the
    session of an anonymous visitor; back to the page the switch was pressed on."""
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        abort(400)
    session[SESSION_KEY] = language
    if current_user.is_authenticated:
        choose_language(current_user._get_current_object(), language)
    return redirect(safe_next(request.form.get("next")) or url_for("public.index"), code=303)
