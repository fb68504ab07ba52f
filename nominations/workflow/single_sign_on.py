"""Signing in with an OpenID Connect provider, once its ID token has been checked (signature,
issuer, audience, expiry and nonce: nominations/auth/oidc.py through Authlib).

Who the person is: the account linked to the provider's subject; else, on a first sign-in,
the account with the same e-mail address when the provider vouches for it (email_verified),
which is then linked; else a new staff account. A deactivated account is refused. Roles and
department follow the provider when OIDC_ROLE_CLAIM / OIDC_DEPARTMENT_CLAIM are configured.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from nominations.models import User, db
from nominations.workflow import audit
from nominations.workflow.accounts import (
    MAX_NAME,
    USER_FIELDS,
    find_user_by_email,
    get_or_create_department,
    normalise_email,
    password_hash_method,
    start_session,
)
from nominations.workflow.conflicts import sync_user_conflicts
from nominations.workflow.errors import WorkflowError
from nominations.workflow.text import clean_line


class SignInRefused(WorkflowError):
    """The provider signed the person in, but this site does not let him in. ``reason`` is a
    short key for the audit log; the message is for the person."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class OidcSignIn:
    """The object of a refused sign-in in the audit log when no account is involved."""

    id = None


@dataclass(frozen=True)
class Identity:
    """What the checked ID token says about the person."""

    subject: str
    email: str
    email_verified: bool
    name: str
    role_values: frozenset[str] | None  # None: roles are not taken from the provider
    department: str | None  # None: the department is not taken from the provider

    @classmethod
    def from_claims(cls, claims: Mapping, config: Mapping) -> Identity:
        role_claim = config.get("OIDC_ROLE_CLAIM") or ""
        department_claim = config.get("OIDC_DEPARTMENT_CLAIM") or ""
        email = normalise_email(str(claims.get("email") or claims.get("preferred_username") or ""))
        department = None
        if department_claim:
            department = clean_line(str(claims.get(department_claim) or ""))[:200]
        return cls(
            subject=str(claims.get("sub") or ""),
            email=email,
            # Entra ID leaves email_verified out; its e-mail is then only trusted if an
            # administrator says so by linking the account by hand (never automatically).
            email_verified=claims.get("email_verified") is True,
            name=clean_line(str(claims.get("name") or ""))[:MAX_NAME] or email.split("@")[0],
            role_values=_values(claims.get(role_claim)) if role_claim else None,
            department=department,
        )


def _values(claim: object) -> frozenset[str]:
    if isinstance(claim, str):
        return frozenset(claim.split())
    if isinstance(claim, Iterable):
        return frozenset(str(value) for value in claim)
    return frozenset()


def refuse(identity: Identity | None, user: User | None, reason: str, message: str):
    """Log a refused sign-in and raise :class:`SignInRefused`."""
    after = {"method": "oidc", "reason": reason}
    if identity is not None:
        after["subject"] = identity.subject
        after["email"] = identity.email
    audit.record("user.sign_in_refused", user or OidcSignIn(), actor=None, after=after)
    db.session.flush()
    raise SignInRefused(message, reason)


def _find_or_create(identity: Identity) -> User:
    user = db.session.execute(
        db.select(User).where(User.oidc_subject == identity.subject)
    ).scalar_one_or_none()
    if user is not None:
        return user
    if not identity.email or "@" not in identity.email:
        refuse(
            identity, None, "no e-mail", _("Your account at the provider has no e-mail address.")
        )
    existing = find_user_by_email(identity.email)
    if existing is not None:
        if not identity.email_verified:
            refuse(
                identity,
                existing,
                "e-mail not verified",
                _(
                    "An account with your e-mail address exists here, but the provider does not "
                    "confirm that the address is yours. Ask an administrator to link your "
                    "account."
                ),
            )
        if existing.oidc_subject is not None:
            refuse(
                identity,
                existing,
                "linked to another subject",
                _(
                    "The account with your e-mail address is linked to another sign-in at the "
                    "provider. Ask an administrator."
                ),
            )
        if not existing.active:
            return existing  # refused by the caller, and left unlinked
        existing.oidc_subject = identity.subject
        audit.record("user.oidc_link", existing, actor=None, after={"subject": identity.subject})
        return existing
    user = User(email=identity.email, name=identity.name, is_staff=True, active=True)
    user.oidc_subject = identity.subject
    # A password nobody knows: the person signs in through the provider (or, where local
    # sign-in is on, sets one with a reset link).
    user.set_password(secrets.token_urlsafe(32), password_hash_method())
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        user,
        actor=None,
        after={**audit.snapshot(user, USER_FIELDS), "source": "oidc"},
    )
    return user


def _follow_provider(user: User, identity: Identity) -> None:
    """Roles and department as the provider says, where configured (audited when they move)."""
    config = current_app.config
    before = audit.snapshot(user, USER_FIELDS)
    if identity.role_values is not None:
        reviewer = bool(identity.role_values & set(config.get("OIDC_REVIEWER_VALUES") or []))
        admin = bool(identity.role_values & set(config.get("OIDC_ADMIN_VALUES") or []))
        if (user.is_reviewer and not reviewer) or (user.is_admin and not admin):
            user.end_sessions()
        user.is_reviewer, user.is_admin = reviewer, admin
    if identity.department:
        user.department = get_or_create_department(identity.department)
    db.session.flush()
    old, new = audit.changed(before, audit.snapshot(user, USER_FIELDS))
    if new:
        audit.record("user.update", user, actor=None, before=old, after={**new, "source": "oidc"})
    if "department_id" in new:
        sync_user_conflicts(user)


def sign_in_with_oidc(claims: Mapping) -> User:
    """The account for these checked ID token claims, signed in (see the module's docstring).
    Raises :class:`SignInRefused` (already logged) when the person may not come in."""
    identity = Identity.from_claims(claims, current_app.config)
    if not identity.subject:
        refuse(identity, None, "no subject", _("The provider did not say who you are."))
    user = _find_or_create(identity)
    if not user.active:
        refuse(
            identity,
            user,
            "deactivated",
            _(
                "Your account on this site is deactivated. If you should have access, ask an "
                "administrator to reactivate it."
            ),
        )
    _follow_provider(user, identity)
    start_session(user, method="oidc")
    return user
