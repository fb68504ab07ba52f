"""Accounts: creating users, changing their roles, department and whether they may sign in;
checking a password and the generation of a user's sessions (see ``User.session_version``)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from nominations import policy
from nominations.models import Department, User, db
from nominations.workflow import audit
from nominations.workflow.conflicts import sync_user_conflicts
from nominations.workflow.errors import WorkflowError
from nominations.workflow.passwords import MIN_PASSWORD_LENGTH, check_new_password  # noqa: F401
from nominations.workflow.text import clean_line, refuse_disguised

MAX_NAME = 200

USER_FIELDS = ("email", "name", "department_id", "is_staff", "is_reviewer", "is_admin", "active")

# A role as people read it (the code stays "staff", "reviewer", "admin" in files and the log).
ROLE_LABELS = {"staff": _l("staff"), "reviewer": _l("reviewer"), "admin": _l("admin")}


def role_names(roles) -> str:
    """Roles as a reader's list: "staff, reviewer" / "ansatt, bedømmer"."""
    return ", ".join(str(ROLE_LABELS.get(role, role)) for role in roles)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def password_hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


# One hash of a password nobody has, per method: an unknown e-mail is checked against it, so
# that signing in costs the same whether or not the address has an account.
_dummy_hashes: dict[str, str] = {}


def _dummy_hash(method: str) -> str:
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("no account has this password", method)
    return _dummy_hashes[method]


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (never says which part failed,
    and takes as long either way: one password check of the configured method)."""
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None else _dummy_hash(password_hash_method())
    matches = check_password_hash(stored, password or "")
    if user is None or not matches or not user.active:
        return None
    return user


def start_session(user: User, method: str = "password") -> None:
    """A sign-in (``method``: "password" or "oidc"): the user's earlier sessions and remember
    cookies end, so each sign-in gets a remember cookie of its own and a stolen one dies with
    the next sign-in. Every sign-in is in the audit log."""
    user.end_sessions()
    audit.record("user.sign_in", user, actor=user, after={"method": method})
    db.session.flush()


def end_session(user: User) -> None:
    """A sign-out: the session cookie (even a copy kept elsewhere) and the remember cookie stop
    working."""
    user.end_sessions()
    db.session.flush()


def _check_password(password: str) -> None:
    check_new_password(password)  # long enough, and not one of the most common ones


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    actor: User,
    department: Department | None = None,
    is_staff: bool = True,
    is_reviewer: bool = False,
    is_admin: bool = False,
    active: bool = True,
) -> User:
    policy.authorize("user.manage", actor)
    email = normalise_email(email)
    name = clean_line(name)
    if not email or "@" not in email:
        raise WorkflowError(_("Enter a valid e-mail address."), "email")
    if find_user_by_email(email) is not None:
        raise WorkflowError(
            _("A user with the e-mail %(email)s already exists.", email=email), "email"
        )
    if not name:
        raise WorkflowError(_("Enter the person's name."), "name")
    refuse_disguised(name, "name")
    if len(name) > MAX_NAME:
        raise WorkflowError(
            _("The name can be at most %(num)d characters long.", num=MAX_NAME), "name"
        )
    _check_password(password)
    user = User(
        email=email,
        name=name.strip(),
        department=department,
        is_staff=is_staff,
        is_reviewer=is_reviewer,
        is_admin=is_admin,
        active=active,
    )
    user.set_password(password, password_hash_method())
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, after=audit.snapshot(user, USER_FIELDS))
    db.session.flush()
    return user


def update_user(
    user: User,
    *,
    actor: User,
    name: str,
    department: Department | None,
    is_staff: bool,
    is_reviewer: bool,
    is_admin: bool,
    active: bool,
    password: str | None = None,
) -> User:
    policy.authorize("user.manage", actor, user)
    name = clean_line(name)
    if not name:
        raise WorkflowError(_("Enter the person's name."), "name")
    refuse_disguised(name, "name")
    if len(name) > MAX_NAME:
        raise WorkflowError(
            _("The name can be at most %(num)d characters long.", num=MAX_NAME), "name"
        )
    if user.id == actor.id and (not is_admin or not active):
        raise WorkflowError(
            _(
                "You cannot remove your own admin role or deactivate yourself; "
                "ask another administrator."
            ),
            "is_admin" if not is_admin else "active",
        )
    before = audit.snapshot(user, USER_FIELDS)
    # A role taken away, a deactivation or a new password ends the sessions the user has now.
    loses_access = (
        (user.is_staff and not is_staff)
        or (user.is_reviewer and not is_reviewer)
        or (user.is_admin and not is_admin)
        or (user.active and not active)
        or bool(password)
    )
    user.name = name.strip()
    user.department = department
    user.is_staff, user.is_reviewer, user.is_admin = is_staff, is_reviewer, is_admin
    user.active = active
    if password:
        _check_password(password)
        user.set_password(password, password_hash_method())
    if loses_access:
        user.end_sessions()
    db.session.flush()
    old, new = audit.changed(before, audit.snapshot(user, USER_FIELDS))
    if password:
        new["password"] = "changed"
    if new:
        audit.record("user.update", user, actor=actor, before=old, after=new)
    if "department_id" in new:  # the department decides automatic conflicts
        sync_user_conflicts(user)
    db.session.flush()
    return user


def get_or_create_department(name: str) -> Department:
    name = refuse_disguised(clean_line(name), "name", "department name")
    department = db.session.execute(
        db.select(Department).where(Department.name == name)
    ).scalar_one_or_none()
    if department is None:
        department = Department(name=name)
        db.session.add(department)
        db.session.flush()
    return department


def deactivate_user(user: User, *, actor: User) -> User:
    """The person may no longer sign in (password, reset link or provider): his sessions and
    remember cookies end now. His nominations, reviews and history stay as they are."""
    policy.authorize("user.manage", actor, user)
    if user.id == actor.id:
        raise WorkflowError(_("You cannot deactivate yourself; ask another administrator."))
    if not user.active:
        raise WorkflowError(_("%(name)s is already deactivated.", name=user.name))
    user.active = False
    user.end_sessions()
    audit.record(
        "user.deactivate", user, actor=actor, before={"active": True}, after={"active": False}
    )
    db.session.flush()
    return user


def reactivate_user(user: User, *, actor: User) -> User:
    """The person may sign in again, with the roles he had."""
    policy.authorize("user.manage", actor, user)
    if user.active:
        raise WorkflowError(_("%(name)s is already active.", name=user.name))
    user.active = True
    audit.record(
        "user.reactivate", user, actor=actor, before={"active": False}, after={"active": True}
    )
    db.session.flush()
    return user


def choose_language(user: User, language: str) -> None:
    """The language this person reads pages and e-mails in ("nb" or "en")."""
    if user.locale != language:
        user.locale = language
        db.session.flush()
