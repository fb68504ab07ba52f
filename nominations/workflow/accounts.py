"""Accounts: creating users, changing their roles, department and whether they may sign in."""

from __future__ import annotations

from nominations.models import Department, User, db
from nominations.workflow import audit
from nominations.workflow.conflicts import sync_user_conflicts
from nominations.workflow.errors import WorkflowError
from nominations.workflow.text import clean_line

MAX_NAME = 200

USER_FIELDS = ("email", "name", "department_id", "is_staff", "is_reviewer", "is_admin", "active")
MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (never says which part failed)."""
    user = find_user_by_email(email)
    if user is None or not user.check_password(password) or not user.active:
        return None
    return user


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise WorkflowError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.", "password"
        )


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    actor: User | None,
    department: Department | None = None,
    is_staff: bool = True,
    is_reviewer: bool = False,
    is_admin: bool = False,
    active: bool = True,
) -> User:
    email = normalise_email(email)
    name = clean_line(name)
    if not email or "@" not in email:
        raise WorkflowError("Enter a valid e-mail address.", "email")
    if find_user_by_email(email) is not None:
        raise WorkflowError(f"A user with the e-mail {email} already exists.", "email")
    if not name:
        raise WorkflowError("Enter the person's name.", "name")
    if len(name) > MAX_NAME:
        raise WorkflowError(f"The name can be at most {MAX_NAME} characters long.", "name")
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
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, after=audit.snapshot(user, USER_FIELDS))
    db.session.commit()
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
    name = clean_line(name)
    if not name:
        raise WorkflowError("Enter the person's name.", "name")
    if len(name) > MAX_NAME:
        raise WorkflowError(f"The name can be at most {MAX_NAME} characters long.", "name")
    if user.id == actor.id and (not is_admin or not active):
        raise WorkflowError(
            "You cannot remove your own admin role or deactivate yourself; "
            "ask another administrator.",
            "is_admin" if not is_admin else "active",
        )
    before = audit.snapshot(user, USER_FIELDS)
    user.name = name.strip()
    user.department = department
    user.is_staff, user.is_reviewer, user.is_admin = is_staff, is_reviewer, is_admin
    user.active = active
    if password:
        _check_password(password)
        user.set_password(password)
    db.session.flush()
    old, new = audit.changed(before, audit.snapshot(user, USER_FIELDS))
    if password:
        new["password"] = "changed"
    if new:
        audit.record("user.update", user, actor=actor, before=old, after=new)
    if "department_id" in new:  # the department decides automatic conflicts
        sync_user_conflicts(user)
    db.session.commit()
    return user


def get_or_create_department(name: str) -> Department:
    name = name.strip()
    department = db.session.execute(
        db.select(Department).where(Department.name == name)
    ).scalar_one_or_none()
    if department is None:
        department = Department(name=name)
        db.session.add(department)
        db.session.flush()
    return department
