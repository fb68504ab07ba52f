"""OpenID Connect sign-in through Authlib (on when OIDC_ISSUER is set).

Authlib does the protocol: discovery from the issuer, the authorization code flow with PKCE
(S256), state and nonce kept in the session, and the ID token's checks (signature against the
issuer's published keys, issuer, audience, expiry, nonce). This module only wires it to the
app: the sign-in redirect, the callback that hands the checked claims to
``workflow.single_sign_on``, and the provider's logout (RP-initiated logout).
"""

from __future__ import annotations

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from joserfc.errors import JoseError
from requests import RequestException

from nominations.auth import bp
from nominations.auth.access import safe_next
from nominations.auth.session_language import chosen_language, keep_language
from nominations.unit_of_work import writes_on_get
from nominations.workflow.single_sign_on import SignInRefused, refuse, sign_in_with_oidc

EXTENSION = "nominations_oidc"
ID_TOKEN = "oidc_id_token"  # kept in the session for the provider's logout (id_token_hint)
NEXT = "oidc_next"
REFUSAL = "oidc_refusal"


def oidc_enabled() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def init_app(app: Flask) -> None:
    issuer = (app.config.get("OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        return
    if not app.config.get("OIDC_CLIENT_ID") or not app.config.get("OIDC_CLIENT_SECRET"):
        raise RuntimeError("OIDC_ISSUER is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET too")
    # An Authlib registry per app: it caches the client, the provider's metadata and its keys.
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth
    oauth.register(
        name="oidc",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "timeout": 10,
        },
    )


def _client():
    return current_app.extensions[EXTENSION].create_client("oidc")


@bp.route("/login/oidc")
def oidc_login():
    """Off to the provider's sign-in page (the state, nonce and PKCE verifier go into the
    session, nothing into the database)."""
    if not oidc_enabled():
        return redirect(url_for("auth.login"))
    session[NEXT] = safe_next(request.args.get("next"))
    return _client().authorize_redirect(url_for("auth.oidc_callback", _external=True))


@bp.route("/auth/oidc/callback")
@writes_on_get  # the provider sends the person back with a GET; the sign-in is a change
def oidc_callback():
    if not oidc_enabled():
        return redirect(url_for("auth.login"))
    provider = current_app.config["OIDC_PROVIDER_NAME"]
    try:
        token = _client().authorize_access_token()
        claims = token.get("userinfo")
        if not claims:
            raise OAuthError(description="the provider sent no ID token")
    except (OAuthError, JoseError, RequestException, ValueError) as error:
        # Wrong or used state, a token that is expired, not for us or not signed by the
        # issuer, an old nonce, the provider down: all the same to the person, not to the log.
        current_app.logger.warning("OIDC sign-in failed: %r", error)
        try:
            failed = _(
                "The sign-in through %(provider)s did not succeed (it may have taken too long, "
                "or been started in another tab). Please try again.",
                provider=provider,
            )
            refuse(None, None, f"protocol: {type(error).__name__}", failed)
        except SignInRefused as refusal:
            return _refused(refusal.message)
    try:
        user = sign_in_with_oidc(claims)
    except SignInRefused as refusal:
        return _refused(refusal.message)
    next_url = session.get(NEXT)
    language = chosen_language()
    # A fresh session, as with a password sign-in; only the ID token for the logout is kept,
    # and the language chosen.
    session.clear()
    session[ID_TOKEN] = token.get("id_token")
    keep_language(language, user)
    login_user(user)
    flash(_("Signed in as %(name)s.", name=user.name), "success")
    return redirect(next_url or url_for("public.index"))


def _refused(message: str):
    # A redirect, so the refusal's audit record is committed (a 403 answer would roll it back).
    session.pop(NEXT, None)
    session[REFUSAL] = message
    return redirect(url_for("auth.oidc_refused"))


@bp.route("/login/refused")
def oidc_refused():
    message = session.pop(REFUSAL, None)
    if message is None or current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/refused.html", message=message), 403


def provider_logout_url(id_token: str | None) -> str | None:
    """The provider's end-session address (RP-initiated logout), back to our home page after;
    None when the person did not sign in through the provider."""
    if not id_token or not oidc_enabled():
        return None
    try:
        result = _client().create_logout_url(
            post_logout_redirect_uri=url_for("public.index", _external=True),
            id_token_hint=id_token,
        )
    except (RuntimeError, RequestException) as error:  # no end_session_endpoint, provider down
        current_app.logger.warning("OIDC logout not possible: %r", error)
        return None
    return result["url"]
