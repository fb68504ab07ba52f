"""Reading for administrators: counts over the years for the charts, and the audit log.

Nothing here changes state; each function is one grouped query (no query per row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext
from sqlalchemy import Select

from nominations.languages import current_language
from nominations.models import (
    AuditEvent,
    AwardCategory,
    AwardRound,
    Department,
    Nomination,
    NominationStatus,
    User,
    db,
)
from nominations.timeutil import from_local

# The SQL stand-in for a nomination without a department (shown translated).
NO_DEPARTMENT = "(no department)"


@dataclass
class YearlyCounts:
    years: list[int]
    # series name -> one count per year, in the order of ``years``
    series: dict[str, list[int]]

    @property
    def total(self) -> int:
        return sum(sum(values) for values in self.series.values())


def _yearly(rows: list[tuple[int, str, int]], order: list[str] | None = None) -> YearlyCounts:
    years = sorted({year for year, _, _ in rows})
    names = order or sorted({name for _, name, _ in rows}, key=str.lower)
    series = {name: [0] * len(years) for name in names}
    for year, name, count in rows:
        series.setdefault(name, [0] * len(years))[years.index(year)] += count
    return YearlyCounts(years, series)


def _recent(statement: Select, last_years: int | None) -> Select:
    if last_years:
        newest = db.select(db.func.max(AwardRound.year)).scalar_subquery()
        statement = statement.where(AwardRound.year > newest - last_years)
    return statement


def nominations_per_category(last_years: int | None = 10) -> YearlyCounts:
    """Nominations that went in (drafts left out) per category name and round year; a series
    is a category's English name, shown by its bokmål name (the latest year's) to a reader of
    bokmål."""
    statement = (
        db.select(
            AwardRound.year,
            AwardCategory.name,
            db.func.max(AwardCategory.name_nb),
            db.func.count(Nomination.id),
        )
        .select_from(Nomination)
        .join(Nomination.category)
        .join(AwardCategory.round)
        .where(Nomination.status != NominationStatus.DRAFT)
        .group_by(AwardRound.year, AwardCategory.name)
        .order_by(AwardRound.year)
    )
    rows = db.session.execute(_recent(statement, last_years)).all()
    shown = {name: name for _year, name, _nb, _count in rows}
    if current_language() == "nb":
        shown |= {name: bokmal for _year, name, bokmal, _count in rows if bokmal}
    return _yearly([(year, shown[name], count) for year, name, _nb, count in rows])


def nominations_per_department(last_years: int | None = 10) -> YearlyCounts:
    """Nominations that went in per nominee department and round year."""
    department = db.func.coalesce(Department.name, NO_DEPARTMENT)
    statement = (
        db.select(AwardRound.year, department, db.func.count(Nomination.id))
        .select_from(Nomination)
        .join(Nomination.category)
        .join(AwardCategory.round)
        .outerjoin(Department, Department.id == Nomination.nominee_department_id)
        .where(Nomination.status != NominationStatus.DRAFT)
        .group_by(AwardRound.year, department)
    )
    rows = db.session.execute(_recent(statement, last_years)).all()
    counts = _yearly([(year, name, count) for year, name, count in rows])
    if NO_DEPARTMENT in counts.series:  # last in the legend, in the reader's language
        counts.series[gettext("(no department)")] = counts.series.pop(NO_DEPARTMENT)
    return counts


def audit_query(
    *,
    actor_id: int | None = None,
    system_only: bool = False,
    action: str | None = None,
    round_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Select:
    """Audit events, newest first, with their actor loaded; ``since`` and ``until`` are local
    dates, both included (from 00:00 on ``since`` to the end of ``until``); ``system_only``
    keeps what no person did (the scheduler, set-up commands)."""
    statement = (
        db.select(AuditEvent)
        .options(db.joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if actor_id:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    if system_only:
        statement = statement.where(AuditEvent.actor_id.is_(None))
    if action:
        statement = statement.where(AuditEvent.action == action)
    if round_id:
        statement = statement.where(AuditEvent.round_id == round_id)
    if since:
        statement = statement.where(AuditEvent.created_at >= _start_of_day(since))
    if until:
        statement = statement.where(AuditEvent.created_at < _start_of_day(until + timedelta(1)))
    return statement


def _start_of_day(day: date) -> datetime:
    # Midnight exists on every day in Europe/Oslo (the clocks change at 02:00 and 03:00).
    return from_local(day, time(0, 0))


def audit_actions() -> list[str]:
    return list(
        db.session.execute(
            db.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
        ).scalars()
    )


def audit_actors() -> list[User]:
    """The people who appear in the audit log as actors."""
    return list(
        db.session.execute(
            db.select(User)
            .where(
                User.id.in_(db.select(AuditEvent.actor_id).where(AuditEvent.actor_id.isnot(None)))
            )
            .order_by(User.name)
        ).scalars()
    )


def round_titles(round_ids: list[int] | None = None) -> dict[int, str]:
    statement = db.select(AwardRound).order_by(AwardRound.year.desc(), AwardRound.name)
    if round_ids is not None:
        statement = statement.where(AwardRound.id.in_(round_ids))
    return {r.id: r.title for r in db.session.execute(statement).scalars()}
