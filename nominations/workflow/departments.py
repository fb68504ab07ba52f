"""Departments, managed by administrators: created, renamed, merged and deactivated.

A department matters to the rules: nominations name the nominee's department and may be made
on behalf of one, and a reviewer working in the nominee's department has an automatic conflict
when the round asks for it. So merging moves people *and* nominations, and then re-syncs the
stored automatic conflicts of every round touched. A deactivated department keeps its history
(people, nominations) but is not offered for new ones. Functions change and flush; the edge
commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, update

from nominations import policy
from nominations.models import AwardCategory, AwardRound, Department, Nomination, User, db
from nominations.workflow import audit
from nominations.workflow.conflicts import sync_automatic_conflicts, sync_user_conflicts
from nominations.workflow.errors import WorkflowError
from nominations.workflow.text import clean_line, refuse_disguised

MAX_NAME = 200
DEPARTMENT_FIELDS = ("name", "active")


@dataclass(frozen=True)
class DepartmentRow:
    """A department with how many people and nominations refer to it (the list page)."""

    department: Department
    people: int
    nominations: int


def find_department(name: str) -> Department | None:
    """The department of this name, compared without regard to case or spacing."""
    wanted = " ".join((name or "").split()).lower()
    return db.session.execute(
        db.select(Department).where(func.lower(Department.name) == wanted)
    ).scalar_one_or_none()


def check_name(name: str, *, keep: Department | None = None) -> str:
    """The cleaned name, or a WorkflowError saying what is wrong with it."""
    name = " ".join(refuse_disguised(clean_line(name or ""), "name", "department name").split())
    if not name:
        raise WorkflowError(_("Enter the department's name."), "name")
    if len(name) > MAX_NAME:
        raise WorkflowError(
            _("The name can be at most %(num)d characters long.", num=MAX_NAME), "name"
        )
    existing = find_department(name)
    if existing is not None and existing is not keep:
        raise WorkflowError(
            _("A department called %(name)s already exists.", name=existing.name), "name"
        )
    return name


def create_department(name: str, *, actor) -> Department:
    policy.authorize("department.manage", actor)
    department = Department(name=check_name(name), active=True)
    db.session.add(department)
    db.session.flush()
    audit.record(
        "department.create",
        department,
        actor=_person(actor),
        after=audit.snapshot(department, DEPARTMENT_FIELDS),
    )
    db.session.flush()
    return department


def rename_department(department: Department, name: str, *, actor) -> Department:
    policy.authorize("department.manage", actor, department)
    name = check_name(name, keep=department)
    if name != department.name:
        before = audit.snapshot(department, DEPARTMENT_FIELDS)
        department.name = name
        audit.record(
            "department.rename",
            department,
            actor=_person(actor),
            before=before,
            after=audit.snapshot(department, DEPARTMENT_FIELDS),
        )
        db.session.flush()
    return department


def set_department_active(department: Department, active: bool, *, actor) -> Department:
    policy.authorize("department.manage", actor, department)
    if department.active != active:
        before = audit.snapshot(department, DEPARTMENT_FIELDS)
        department.active = active
        audit.record(
            "department.activate" if active else "department.deactivate",
            department,
            actor=_person(actor),
            before=before,
            after=audit.snapshot(department, DEPARTMENT_FIELDS),
        )
        db.session.flush()
    return department


def merge_departments(source: Department, into: Department, *, actor) -> dict[str, int]:
    """Move everyone and every nomination of ``source`` to ``into`` and delete ``source``;
    then re-sync the automatic conflicts that depend on a department. Returns the counts."""
    policy.authorize("department.manage", actor, source)
    if source.id == into.id:
        raise WorkflowError(_("Choose another department to merge into."), "into_id")
    if not into.active:
        raise WorkflowError(
            _("%(name)s is deactivated; reactivate it first.", name=into.name), "into_id"
        )
    moved_users = list(
        db.session.execute(db.select(User).where(User.department_id == source.id)).scalars()
    )
    nomination_ids = set(
        db.session.execute(
            db.select(Nomination.id).where(
                or_(
                    Nomination.nominee_department_id == source.id,
                    Nomination.on_behalf_of_department_id == source.id,
                )
            )
        ).scalars()
    )
    # The rounds whose nominees changed department: their automatic conflicts are re-synced.
    touched_rounds = list(
        db.session.execute(
            db.select(AwardRound)
            .join(AwardCategory, AwardCategory.round_id == AwardRound.id)
            .join(Nomination, Nomination.category_id == AwardCategory.id)
            .where(Nomination.nominee_department_id == source.id)
            .distinct()
        ).scalars()
    )
    for user in moved_users:
        user.department_id = into.id
    for column in (Nomination.nominee_department_id, Nomination.on_behalf_of_department_id):
        db.session.execute(
            update(Nomination)
            .where(column == source.id)
            .values({column.key: into.id})
            .execution_options(synchronize_session="fetch")
        )
    counts = {"people": len(moved_users), "nominations": len(nomination_ids)}
    audit.record(
        "department.merge",
        source,
        actor=_person(actor),
        before={"name": source.name, "id": source.id},
        after={"into": into.name, "into_id": into.id, **counts},
    )
    db.session.delete(source)
    db.session.flush()
    db.session.expire_all()
    for award_round in touched_rounds:
        sync_automatic_conflicts(award_round)
    for user in moved_users:
        if user.is_reviewer:
            sync_user_conflicts(user)
    db.session.flush()
    return counts


def department_rows() -> list[DepartmentRow]:
    """Every department, active ones first, with its counts (three queries in all)."""
    people = dict(
        db.session.execute(
            db.select(User.department_id, func.count(User.id))
            .where(User.department_id.is_not(None))
            .group_by(User.department_id)
        ).all()
    )
    nominations = dict(
        db.session.execute(
            db.select(Nomination.nominee_department_id, func.count(Nomination.id))
            .where(Nomination.nominee_department_id.is_not(None))
            .group_by(Nomination.nominee_department_id)
        ).all()
    )
    departments = db.session.execute(
        db.select(Department).order_by(Department.active.desc(), Department.name)
    ).scalars()
    return [DepartmentRow(d, people.get(d.id, 0), nominations.get(d.id, 0)) for d in departments]


def active_departments() -> list[Department]:
    """The departments offered for new people and nominations."""
    return list(
        db.session.execute(
            db.select(Department).where(Department.active.is_(True)).order_by(Department.name)
        ).scalars()
    )


def _person(actor) -> User | None:
    """The audit records a person, or no one for the SYSTEM actor."""
    return actor if isinstance(actor, User) else None
