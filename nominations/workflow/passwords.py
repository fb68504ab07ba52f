"""Local passwords: what a new password must be, and resetting a forgotten one by an e-mailed
link that works once, for an hour (PASSWORD_RESET_MAX_AGE).

The link carries a token signed with the app's secret key. It names the user and a fingerprint
of his password hash and session generation, so it stops working as soon as it was used (the
hash changes), when the password was changed another way, or at the next sign-out or sign-in
elsewhere; no table of tokens is needed.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from nominations.languages import in_language, recipient_language
from nominations.mail.outbox import queue_email
from nominations.models import User, db
from nominations.timeutil import now
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200
RESET_SALT = "password-reset"
INVALID_LINK = _l(
    "This password reset link does not work any more: it was used already, it is older than "
    "an hour, or the password was changed since. Ask for a new link."
)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("nominations").joinpath("data/common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def check_new_password(password: str, user: User | None = None, field: str = "password") -> None:
    """Refuse a password that is too short, too long, among the most common ones, or the
    person's own e-mail address or name."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WorkflowError(
            _(
                "The password must be at least %(num)d characters long.",
                num=MIN_PASSWORD_LENGTH,
            ),
            field,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WorkflowError(
            _("The password can be at most %(num)d characters long.", num=MAX_PASSWORD_LENGTH),
            field,
        )
    lowered = password.lower()
    if lowered in common_passwords():
        raise WorkflowError(
            _(
                "This password is one of the most common ones, and among the first that "
                "attackers try. Choose another (a few unrelated words make a good one)."
            ),
            field,
        )
    if user is not None and lowered in {user.email.lower(), (user.name or "").lower()}:
        raise WorkflowError(_("The password cannot be your e-mail address or name."), field)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    material = f"{user.password_hash}:{user.session_version}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fingerprint": _fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The active user this token may reset the password of, or None (expired, used, forged)."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.active or data.get("fingerprint") != _fingerprint(user):
        return None
    return user


def request_password_reset(email: str) -> None:
    """E-mail a reset link to the active account with this address, if there is one. The
    caller answers the same either way, so the form tells nobody who has an account."""
    from nominations.workflow.accounts import find_user_by_email

    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = reset_token(user)
    # In the account's language, not the one of the page the request was made on.
    language = recipient_language(user)
    with in_language(language):
        subject = _("Reset your password")
    queue_email(
        dedupe_key=f"password-reset:{user.id}:{hashlib.sha256(token.encode()).hexdigest()}",
        recipient=user.email,
        subject=subject,
        template="password_reset",
        language=language,
        user=user,
        link=current_app.config["BASE_URL"].rstrip("/")
        + url_for("auth.reset_password", token=token),
        hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600 or 1,
    )
    audit.record("user.password_reset_requested", user, actor=None, after={"at": now()})
    db.session.flush()


def reset_password(token: str, password: str) -> User:
    """Set a new password with a reset link; the link and every session end with it."""
    user = user_for_reset_token(token)
    if user is None:
        raise WorkflowError(str(INVALID_LINK))
    check_new_password(password, user)
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    user.end_sessions()
    audit.record("user.password_reset", user, actor=user, after={"password": "changed"})
    db.session.flush()
    return user
