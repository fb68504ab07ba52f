"""The reader's language across a new session. Signing in and out start a fresh session
(nothing from before may carry over), but the language the person chose stays."""

from __future__ import annotations

from flask import session
from flask_babel import refresh
from flask_login import current_user

from nominations.languages import LANGUAGES, SESSION_KEY
from nominations.models import User
from nominations.workflow.accounts import choose_language


def chosen_language() -> str | None:
    """The language this person chose: their account's, else this browser's (the switch)."""
    account = getattr(current_user, "locale", None) if current_user.is_authenticated else None
    return account or session.get(SESSION_KEY)


def keep_language(language: str | None, user: User | None = None) -> None:
    """After ``session.clear()``: the choice stays in the new session, and an account that has
    no choice of its own takes the one made before signing in (its e-mails follow it). The
    texts of the rest of this request (the flash message) follow the new session."""
    refresh()  # the language is chosen anew, for the person signed in or out now
    if language not in LANGUAGES:
        return
    session[SESSION_KEY] = language
    if user is not None and user.locale is None:
        choose_language(user, language)
