"""Importing staff and departments from an HR export, all or nothing, after a preview.

:func:`plan_import` reads nothing but the database and says, per row, what would happen (a
new person, what changes for a known one, nothing) or what is wrong; with ``full`` it also
lists the active people missing from the file, who would be deactivated (never the
administrator doing it). :func:`apply_import` plans again from the same rows and stores the
plan only if it has no error and is still the plan the administrator confirmed (its
:attr:`ImportPlan.fingerprint`), so a change made in between is shown, not stored blindly.
Nothing is committed here: the request commits the whole import at once or nothing.

Roles in the file are added, never taken away (an HR export knows who works here, not who
sits on a panel); people are matched by e-mail. Imported people get no password: they sign in
through the institute's single sign-on, or set one with "Forgot your password?".
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _

from nominations import policy
from nominations.models import Department, User, db
from nominations.workflow import audit
from nominations.workflow.accounts import (
    MAX_NAME,
    USER_FIELDS,
    normalise_email,
    role_names,
    update_user,
)
from nominations.workflow.departments import check_name, create_department
from nominations.workflow.errors import WorkflowError
from nominations.workflow.staff_file import RawRow
from nominations.workflow.text import clean_line, refuse_disguised

ROLE_WORDS = {
    "staff": "staff",
    "employee": "staff",
    "ansatt": "staff",
    "reviewer": "reviewer",
    "panel": "reviewer",
    "bedømmer": "reviewer",
    "admin": "admin",
    "administrator": "admin",
}


@dataclass
class RowPlan:
    line: int
    name: str
    email: str
    department: str
    roles: tuple[str, ...]
    action: str = "error"  # "create", "update", "unchanged" or "error"
    # What changes for a known person, as facts: ("name", old, new), ("department", old or
    # None, new), ("roles", "reviewer, admin"), ("reactivated",). Words only when shown, so
    # that the preview's fingerprint does not depend on the reader's language.
    changes: list[tuple[str, ...]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def change_texts(self) -> list[str]:
        """The changes as the preview lists them, in the reader's language."""
        return [_change_text(*change) for change in self.changes]


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    full: bool
    new_departments: list[str] = field(default_factory=list)
    deactivate: list[User] = field(default_factory=list)

    @property
    def errors(self) -> list[RowPlan]:
        return [row for row in self.rows if row.errors]

    def counted(self, action: str) -> int:
        return sum(row.action == action for row in self.rows)

    @property
    def fingerprint(self) -> str:
        """What the plan would do, as a short digest: equal plans, equal fingerprints."""
        facts = {
            "rows": [(r.email, r.action, r.changes) for r in self.rows],
            "departments": self.new_departments,
            "deactivate": sorted(u.id for u in self.deactivate),
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:32]


def _roles(text: str) -> tuple[tuple[str, ...], str | None]:
    separated = text.replace(";", ",").replace("/", ",").replace("+", ",").split(",")
    words = [w.strip().lower() for w in separated if w.strip()]
    unknown = [w for w in words if w not in ROLE_WORDS]
    if unknown:
        return (), _("Unknown role %(role)s: use staff, reviewer or admin.", role=repr(unknown[0]))
    found = {ROLE_WORDS[w] for w in words} or {"staff"}
    return tuple(role for role in ("staff", "reviewer", "admin") if role in found), None


def _check(row: RowPlan, raw: RawRow) -> None:
    """Fill the row's cleaned values, or its errors."""
    row.name = clean_line(raw.name)
    if not row.name:
        row.errors.append(_("The name is missing."))
    elif len(row.name) > MAX_NAME:
        row.errors.append(_("The name is longer than %(num)d characters.", num=MAX_NAME))
    else:
        try:
            refuse_disguised(row.name, "name")
        except WorkflowError as error:
            row.errors.append(error.message)
    email = row.email
    local, _at, domain = email.partition("@")
    if not email:
        row.errors.append(_("The e-mail address is missing."))
    elif not local or "." not in domain or " " in email or len(email) > 254:
        row.errors.append(_("%(email)s is not an e-mail address.", email=repr(raw.email)))
    row.roles, role_error = _roles(raw.role)
    if role_error:
        row.errors.append(role_error)


def plan_import(raw_rows: list[RawRow], *, actor: User, full: bool = False) -> ImportPlan:
    """What importing these rows would do (reads only)."""
    policy.authorize("staff.import", actor)
    users = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
    departments = {d.name.lower(): d for d in db.session.execute(db.select(Department)).scalars()}
    plan = ImportPlan(rows=[], full=full)
    new_departments: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for raw in raw_rows:
        row = RowPlan(raw.line, "", normalise_email(raw.email), clean_line(raw.department), ())
        plan.rows.append(row)
        _check(row, raw)
        if row.email in first_line:
            row.errors.append(
                _(
                    "The e-mail %(email)s is also on row %(line)d.",
                    email=row.email,
                    line=first_line[row.email],
                )
            )
        first_line.setdefault(row.email, row.line)
        department = _department(row, departments, new_departments)
        if row.errors:
            continue
        user = users.get(row.email)
        row.changes = _changes(row, user, department) if user else []
        row.action = "create" if user is None else ("update" if row.changes else "unchanged")
    plan.new_departments = sorted(new_departments.values(), key=str.lower)
    if full:
        listed = {row.email for row in plan.rows}
        plan.deactivate = sorted(
            (u for u in users.values() if u.active and u.email not in listed and u.id != actor.id),
            key=lambda u: (u.name.lower(), u.email),
        )
    return plan


def _department(
    row: RowPlan, existing: dict[str, Department], new: dict[str, str]
) -> Department | str | None:
    """The row's department: a stored one, the name of one to create, or None (none given)."""
    if not row.department:
        return None
    known = existing.get(row.department.lower())
    if known is not None:
        if not known.active:
            row.errors.append(_("The department %(name)s is deactivated.", name=known.name))
        return known
    try:
        name = check_name(row.department)
    except WorkflowError as error:
        row.errors.append(error.message)
        return None
    return new.setdefault(name.lower(), name)


def _changes(
    row: RowPlan, user: User, department: Department | str | None
) -> list[tuple[str, ...]]:
    changes: list[tuple[str, ...]] = []
    if user.name != row.name:
        changes.append(("name", user.name, row.name))
    current = user.department.name if user.department else None
    wanted = department.name if isinstance(department, Department) else department
    if wanted is not None and wanted != current:
        changes.append(("department", current or "", wanted))
    added = [role for role in row.roles if not user.has_role(role)]
    if added:
        changes.append(("roles", *added))
    if not user.active:
        changes.append(("reactivated",))
    return changes


def _change_text(kind: str, *values: str) -> str:
    if kind == "name":
        return _("name: %(old)s → %(new)s", old=values[0], new=values[1])
    if kind == "department":
        old = values[0] or _("(none)")
        return _("department: %(old)s → %(new)s", old=old, new=values[1])
    if kind == "roles":
        return _("adds role %(roles)s", roles=role_names(values))
    return _("reactivated")


def apply_import(
    raw_rows: list[RawRow], *, actor: User, full: bool, fingerprint: str
) -> ImportPlan:
    """Store the import if its plan has no errors and is the one previewed (``fingerprint``);
    else raise WorkflowError and change nothing. Flushes; the caller commits once."""
    plan = plan_import(raw_rows, actor=actor, full=full)
    if plan.errors:
        raise WorkflowError(_("The file has errors; nothing was imported."))
    if plan.fingerprint != fingerprint:
        raise WorkflowError(
            _("People or departments changed since the preview; check the new preview.")
        )
    departments = {
        name.lower(): create_department(name, actor=actor) for name in plan.new_departments
    }
    for department in db.session.execute(db.select(Department)).scalars():
        departments.setdefault(department.name.lower(), department)
    users = {u.email: u for u in db.session.execute(db.select(User)).scalars()}
    for row in plan.rows:
        department = departments.get(row.department.lower()) if row.department else None
        if row.action == "create":
            _create(row, department, actor)
        elif row.action == "update":
            user = users[row.email]
            update_user(
                user,
                actor=actor,
                name=row.name,
                department=department or user.department,
                is_staff=user.is_staff or "staff" in row.roles,
                is_reviewer=user.is_reviewer or "reviewer" in row.roles,
                is_admin=user.is_admin or "admin" in row.roles,
                active=True,
            )
    for user in plan.deactivate:
        # update_user ends their sessions and writes the audit record.
        update_user(
            user,
            actor=actor,
            name=user.name,
            department=user.department,
            is_staff=user.is_staff,
            is_reviewer=user.is_reviewer,
            is_admin=user.is_admin,
            active=False,
        )
    audit.record(
        "staff.import",
        actor,
        actor=actor,
        after={
            "created": plan.counted("create"),
            "updated": plan.counted("update"),
            "unchanged": plan.counted("unchanged"),
            "departments_created": plan.new_departments,
            "deactivated": [u.email for u in plan.deactivate],
            "full": full,
        },
    )
    db.session.flush()
    return plan


def _create(row: RowPlan, department: Department | None, actor: User) -> User:
    """A new person, without a usable password (no "$" in the hash: no password matches)."""
    user = User(
        email=row.email,
        name=row.name,
        department=department,
        is_staff="staff" in row.roles,
        is_reviewer="reviewer" in row.roles,
        is_admin="admin" in row.roles,
        active=True,
        password_hash="!imported-" + secrets.token_hex(8),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        user,
        actor=actor,
        after=audit.snapshot(user, USER_FIELDS) | {"via": "staff import"},
    )
    return user
