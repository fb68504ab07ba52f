"""Security headers (Flask-Talisman), HTTPS and the reverse proxy.

- A Content-Security-Policy without inline script or style: every script and stylesheet is a
  file under ``nominations/static/`` (or Bootstrap-Flask's local copy). No ``<script>`` blocks,
  no ``style="..."`` attributes, no ``on...=`` handlers in templates (tests/test_security.py
  scans them all).
- Framing refused (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), ``nosniff``,
  ``Referrer-Policy: same-origin``, HSTS when ``FORCE_HTTPS``.
- ``FORCE_HTTPS`` (production): plain-HTTP requests are redirected to HTTPS, except the health
  check, which a load balancer may call over plain HTTP.
- ``TRUSTED_PROXY_COUNT`` = N: the app sits behind N reverse proxies; the client address
  (rate limits, logs) and the scheme come from their ``X-Forwarded-For`` / ``-Proto`` headers.
- ``TRUSTED_HOSTS`` (Flask's own setting; by default localhost in development and the host of
  ``BASE_URL`` in production): a request for any other ``Host`` gets a plain 400, before any
  redirect or link could be built from the name the client chose.
- ``Cache-Control: no-store`` on every answer to a signed-in user and on every download
  (``Content-Disposition: attachment``): pages with names, scores and decisions stay out of
  shared and browser caches. Public pages and feeds stay cacheable.
- NUL characters are dropped from every query and form value (and name) before a view sees
  them: no browser types one, PostgreSQL's text columns refuse them (a search or a sign-in
  with ``%00`` would otherwise be a server error), and nothing needs them. What the workflow
  stores is cleaned further (``nominations.workflow.text``).

Each app gets its own Talisman instance: Talisman keeps its settings on the instance, so one
shared instance would let the last app created decide for all of them (tests create many).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Request, Response, current_app, g, redirect, request, session
from flask_login import AnonymousUserMixin, current_user
from flask_talisman import Talisman
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY = {
    "browsing-topics": "()",
    "camera": "()",
    "geolocation": "()",
    "microphone": "()",
    "payment": "()",
}


def content_security_policy(config: dict) -> dict:
    """The CSP of this app: with OpenID Connect on, the sign-out form's answer redirects to
    the provider's logout page, so forms may lead to the issuer's origin too."""
    issuer = urlsplit(config.get("OIDC_ISSUER") or "")
    if not issuer.scheme or not issuer.netloc:
        return CSP
    return {**CSP, "form-action": f"'self' {issuer.scheme}://{issuer.netloc}"}


# Endpoints that answer over plain HTTP even where FORCE_HTTPS is on.
HTTPS_EXEMPT_ENDPOINTS = {"public.healthz"}


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeParameters(ImmutableMultiDict):
    """Query and form parameters (Werkzeug builds them from (name, value) pairs) without NUL
    characters; uploaded files are left as they are."""

    def __init__(self, mapping=None):
        if isinstance(mapping, list):
            mapping = [(_without_nul(k), _without_nul(v)) for k, v in mapping]
        super().__init__(mapping)


class NulFreeRequest(Request):
    parameter_storage_class = NulFreeParameters


class KeptHeadersTalisman(Talisman):
    """Talisman, with the headers it writes kept for the views without options of their own:
    there is no nonce here and the policies are constants, so those headers are the same on
    every answer but for HSTS, which depends on the request's scheme (part of the key).
    Talisman would otherwise build each policy string again for every response (issue 16)."""

    def _plain(self) -> bool:
        view = current_app.view_functions.get(request.endpoint or "")
        return not getattr(view, "talisman_view_options", None) and not (
            self.content_security_policy_nonce_in
        )

    def _force_https(self):
        if self.force_https or not self._plain():
            return super()._force_https()
        if self.session_cookie_secure and not self.app.debug:  # as Talisman does
            self.app.config["SESSION_COOKIE_SECURE"] = True
        return None

    def _make_nonce(self):
        if not self._plain():
            super()._make_nonce()

    def _set_response_headers(self, response: Response) -> Response:
        if not self._plain():
            return super()._set_response_headers(response)
        key = (request.is_secure, request.headers.get("X-Forwarded-Proto", "http") == "https")
        kept = self.__dict__.setdefault("_kept_headers", {})
        headers = kept.get(key)
        if headers is None:
            scratch = Response()
            before = set(scratch.headers.keys())
            super()._set_response_headers(scratch)
            headers = kept[key] = [(k, v) for k, v in scratch.headers.items() if k not in before]
        for name, value in headers:
            response.headers[name] = value
        return response


# For per-view options only (``@talisman(frame_options=...)``); init_app binds an instance
# of its own to each app.
talisman = Talisman()

NO_REFERRER = "_no_referrer"


def no_referrer(view):
    """Mark a view whose pages send no Referer at all (its URL holds a secret, e.g. a
    referee's link), where every other page says ``same-origin``."""
    setattr(view, NO_REFERRER, True)
    return view


class _Talisman(KeptHeadersTalisman):
    """Talisman whose Referrer-Policy a view can tighten (:func:`no_referrer`): Talisman sets
    that header after every view and after-request hook, so nothing else could. Such a view's
    headers are not the kept ones."""

    def _plain(self) -> bool:
        view = current_app.view_functions.get(request.endpoint or "")
        return super()._plain() and not getattr(view, NO_REFERRER, False)

    def _set_referrer_policy_headers(self, headers):
        view = current_app.view_functions.get(request.endpoint or "") if request else None
        if view is not None and getattr(view, NO_REFERRER, False):
            headers["Referrer-Policy"] = "no-referrer"
        else:
            super()._set_referrer_policy_headers(headers)


def init_app(app: Flask) -> None:
    app.request_class = NulFreeRequest
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    force_https = bool(app.config["FORCE_HTTPS"])
    app.extensions["talisman"] = _Talisman(
        app,
        force_https=False,  # done below, with the health check exempt
        strict_transport_security=force_https,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        content_security_policy=content_security_policy(app.config),
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
    )

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # Plain text: the styled error page builds links, and there is no URL adapter for a
        # host we do not serve.
        return Response("Unknown host.", status=400, mimetype="text/plain")

    @app.after_request
    def no_store_private_answers(response: Response) -> Response:
        attachment = "attachment" in response.headers.get("Content-Disposition", "")
        # Anyone the sign-in resolved to a person: asking the person (is_authenticated reads
        # ``active``) would load him again, since the unit of work has ended and expired him.
        if attachment or _signed_in():
            response.headers["Cache-Control"] = "no-store"
        return response

    def _signed_in() -> bool:
        # Nothing that could sign anyone in (no person in the session, no remember-me cookie;
        # the app has no request or header loader): anonymous, without running Flask-Login's
        # loading (its session protection hashes the client's address and agent) for the
        # public pages and feeds that never asked who the visitor is (issue 16).
        cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        if "_login_user" not in g and "_user_id" not in session and cookie not in request.cookies:
            return False
        return not isinstance(current_user._get_current_object(), AnonymousUserMixin)

    if force_https:

        @app.before_request
        def redirect_to_https():
            if request.routing_exception is not None:  # an untrusted host among others
                return None
            if request.is_secure or request.endpoint in HTTPS_EXEMPT_ENDPOINTS:
                return None
            code = 301 if request.method in ("GET", "HEAD") else 308  # 308 keeps a POST a POST
            return redirect(request.url.replace("http://", "https://", 1), code=code)
