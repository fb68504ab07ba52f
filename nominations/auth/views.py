from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from nominations.auth import bp
from nominations.auth.access import safe_next
from nominations.auth.forms import LoginForm
from nominations.auth.oidc import ID_TOKEN, oidc_enabled, provider_logout_url
from nominations.auth.session_language import chosen_language, keep_language
from nominations.rate_limits import sign_in_limited
from nominations.workflow.accounts import authenticate, end_session, start_session

BAD_LOGIN = _l("The e-mail address or password is not right, or the account is not active.")


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limited
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("public.index"))
    form = LoginForm()
    local = current_app.config["LOCAL_LOGIN_ENABLED"]
    if request.method == "POST" and not local:
        abort(404)
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(BAD_LOGIN)  # in the form's error summary, which has the focus
        else:
            start_session(user)  # stored by the request's commit (the redirect below)
            language = chosen_language()
            # A fresh session: nothing from before the sign-in (a CSRF secret an attacker may
            # have planted or read) carries over, but the language chosen.
            session.clear()
            keep_language(language, user)
            login_user(user, remember=form.remember.data)
            flash(_("Signed in as %(name)s.", name=user.name), "success")
            return redirect(next_url or url_for("public.index"))
    return render_template(
        "auth/login.html", form=form, local=local, oidc=oidc_enabled(), next_url=next_url
    )


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    end_session(current_user._get_current_object())
    id_token = session.get(ID_TOKEN)
    language = chosen_language()
    session.clear()
    keep_language(language)  # the page after signing out speaks the person's language
    logout_user()  # after clear(): it marks the remember cookie for deletion in the session
    flash(_("You are signed out."), "info")
    # Signed in through the provider: sign out there too (RP-initiated logout).
    return redirect(provider_logout_url(id_token) or url_for("public.index"))
