"""The referee's upload page, reached by his personal link (no account).

Hardened because the URL is the key: every request counts against ``REFEREE_RATE_LIMIT``
per address; a wrong, used, revoked or expired link gets one and the same page (404); the
page is never cached and sends no Referer (its URL holds the secret); the form carries a
CSRF token like every other (the session cookie works without signing in).
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from nominations.extensions import db
from nominations.forms import add_error
from nominations.rate_limits import token_limited
from nominations.referee import bp
from nominations.security import no_referrer
from nominations.timeutil import format_local
from nominations.workflow.errors import WorkflowError
from nominations.workflow.referees import letter_deadline, referee_for_token, upload_letter


class LetterForm(FlaskForm):
    letter = FileField(
        _l("Your letter (PDF)"),
        validators=[FileRequired(message=_l("Choose your letter, a PDF file."))],
    )
    submit = SubmitField(_l("Upload the letter"))


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invalid():
    """The one answer to every link that does not work, whatever the reason."""
    return _private(make_response(render_template("referee/invalid.html"), 404))


@bp.route("/<token>", methods=["GET", "POST"])
@token_limited
@no_referrer
def letter(token: str):
    referee = referee_for_token(token)
    if referee is None:
        return _invalid()
    form = LetterForm()
    if form.validate_on_submit():
        upload = form.letter.data
        try:
            new_token = upload_letter(referee, upload.stream, upload.filename or "")
        except WorkflowError as error:
            db.session.rollback()  # nothing of a refused letter is kept
            if error.field != "letter":
                return _invalid()
            add_error(form, "letter", error.message)
        else:
            flash(
                _(
                    "Thank you: your letter has been received. A confirmation is on its way to "
                    "%(email)s. This page has a new address now: keep it (or the link in the "
                    "confirmation) to replace your letter until %(deadline)s.",
                    email=referee.email,
                    deadline=format_local(letter_deadline(referee.nomination.category)),
                ),
                "success",
            )
            return _private(redirect(url_for("referee.letter", token=new_token)))
    nomination = referee.nomination
    return _private(
        make_response(
            render_template(
                "referee/letter.html",
                form=form,
                referee=referee,
                nomination=nomination,
                category=nomination.category,
                award_round=nomination.category.round,
                deadline=letter_deadline(nomination.category),
            )
        )
    )
