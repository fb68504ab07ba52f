"""Forgotten local passwords: ask for a reset link by e-mail, then set a new password with it.

The request form answers the same whether or not the address has an account, and is
rate-limited like the sign-in form. Only where local sign-in is on (LOCAL_LOGIN_ENABLED).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from nominations.auth import bp
from nominations.auth.forms import ForgotPasswordForm, ResetPasswordForm
from nominations.forms import add_error
from nominations.rate_limits import sign_in_limited
from nominations.workflow.errors import WorkflowError
from nominations.workflow.passwords import (
    INVALID_LINK,
    request_password_reset,
    user_for_reset_token,
)
from nominations.workflow.passwords import (
    reset_password as set_password_with_link,
)


def _local_only() -> None:
    if not current_app.config["LOCAL_LOGIN_ENABLED"]:
        abort(404)


@bp.route("/password/forgot", methods=["GET", "POST"])
@sign_in_limited
def forgot_password():
    _local_only()
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        flash(
            _(
                "If an active account has this e-mail address, a link to set a new password is "
                "on its way. It works once, for an hour."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    _local_only()
    if user_for_reset_token(token) is None:
        return render_template("auth/reset_invalid.html", message=INVALID_LINK), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password_with_link(token, form.password.data)
        except WorkflowError as error:
            add_error(form, error.field or "password", error.message)
        else:
            flash(_("Your new password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
