"""The sign-in rate limit (Flask-Limiter): one limiter per app, counting where
``RATELIMIT_STORAGE_URI`` says.

Every app gets a Limiter of its own. A module-level Limiter would keep the storage, the key
prefix and the on/off switch of the last app built in the process, so two apps in one process
(as in the tests) would share a count through that Python object, whatever the storage. Here
the count is shared only through the store: ``memory://`` counts per process, ``redis://...``
once for every worker on every host.

A view opts in with ``@sign_in_limited``: its POSTs count against ``LOGIN_RATE_LIMIT`` per
client address. While the store cannot be reached, each process counts in memory
(``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``) and goes back to the store once it answers again:
a Redis outage neither lifts the limit nor stops anybody signing in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

View = TypeVar("View", bound=Callable)
MARK = "_sign_in_limited"
TOKEN_MARK = "_token_limited"


def sign_in_limited(view: View) -> View:
    """Mark a view whose POSTs count against ``LOGIN_RATE_LIMIT`` (wrapped by init_app)."""
    setattr(view, MARK, True)
    return view


def token_limited(view: View) -> View:
    """Mark a view reached by a secret link (a referee's): all its requests, GET included,
    count against ``REFEREE_RATE_LIMIT`` per client address, so nobody can try links fast."""
    setattr(view, TOKEN_MARK, True)
    return view


def _token_limit() -> str:
    return current_app.config["REFEREE_RATE_LIMIT"]


def _counted() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method == "POST" or bool(getattr(view, TOKEN_MARK, False))


def _token_key() -> str:
    # Its own count, apart from the sign-in attempts of the same address.
    return "referee-link:" + get_remote_address()


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _for_counted_only(hook: Callable, kind: str) -> Callable:
    if kind == "before_request_funcs":
        return lambda: hook() if _counted() else None
    if kind == "after_request_funcs":
        return lambda response: hook(response) if _counted() else response
    return lambda error=None: hook(error) if _counted() else None


def init_app(app: Flask) -> Limiter:
    """Give ``app`` its limiter and wrap its marked views (after the blueprints)."""
    limiter = Limiter(key_func=get_remote_address)
    # Only POSTs are ever counted (below): every other request, the public pages and feeds
    # above all, skips the limiter's bookkeeping (issue 16).
    # (Views reached by a secret link count every request: ``token_limited``.)
    limiter.request_filter(lambda: not _counted())
    hooks = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs")
    before = {kind: len(getattr(app, kind).get(None, ())) for kind in hooks}
    limiter.init_app(app)
    # ... and the hooks it adds are not even called for them (some 50 µs a request).
    for kind in hooks:
        funcs = getattr(app, kind).setdefault(None, [])
        funcs[before[kind] :] = [_for_counted_only(f, kind) for f in funcs[before[kind] :]]
    # The app holds it: its limits hold it only weakly (and a switched-off limiter does not
    # enter app.extensions["limiter"]).
    app.extensions["rate_limiter"] = limiter
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, MARK, False):
            app.view_functions[endpoint] = limiter.limit(_login_limit, methods=["POST"])(view)
        elif getattr(view, TOKEN_MARK, False):
            app.view_functions[endpoint] = limiter.limit(_token_limit, key_func=_token_key)(view)
    return limiter
