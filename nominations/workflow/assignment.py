"""The one assignment rule: which nominations a reviewer owes a review of, and with which ones
he has a conflict of interest.

Everything that asks "does this person review that nomination" or "is he conflicted" builds on
the SQL here: pages and exports (``access``), the ranking and progress (``ranking``), the
reviews shown next to one's own (``reviews``), reminders and e-mails (``reminders``,
``lifecycle``) and the stored automatic conflicts (``conflicts``). The clauses are correlated
on a *reviewer*: either the ``User`` entity (or an alias of it) in the statement's FROM clause,
so one query answers for every reviewer at once, or one ``User`` object, whose values are bound
as parameters. The Python answers for one pair (:func:`owes`, :func:`conflicted`) run the same
clause, so there is no second copy of the rule to disagree with.

The rule:

- A reviewer **owes** a review of a nomination when he is an active user with the reviewer
  role, sits on a panel of the nomination's round covering its category (a panel without a
  category covers the whole round), the call has closed (by the clock), the nomination went in
  (``REVIEWABLE_STATUSES``), and no conflict of interest is in force.
- A **conflict** is in force when a declared conflict row exists and is not cleared, or when an
  automatic rule applies and no row clears it. Automatic rules: the reviewer is the nominee
  (same e-mail), the nominator, or, when the round's ``department_conflicts`` is set, works in
  the nominee's department. The rule is evaluated from the data: stored rows
  (``conflicts.sync_automatic_conflicts``) only let the chair see and clear them.

Clauses that mention the nomination need ``Nomination``, ``AwardCategory`` and ``AwardRound``
in the FROM clause (``nominations_in_round`` gives that shape).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, literal, or_, true

from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    ConflictKind,
    ConflictOfInterest,
    Nomination,
    Panel,
    PanelMember,
    User,
    db,
)
from nominations.timeutil import now as current_time
from nominations.workflow.calls import CLOCK_STATUSES


@dataclass(frozen=True)
class Reviewer:
    """The reviewer a clause is about, as SQL expressions: columns of a User entity in the
    FROM clause, or bound values of one User object."""

    id: ColumnElement[Any]
    email: ColumnElement[Any]
    department_id: ColumnElement[Any]
    is_reviewer: ColumnElement[bool]
    active: ColumnElement[bool]

    @classmethod
    def of(cls, who: Any) -> Reviewer:
        if isinstance(who, Reviewer):
            return who
        if isinstance(who, User):  # one person: bind his values
            return cls(
                id=literal(who.id),
                email=literal(who.email or ""),
                department_id=literal(who.department_id),
                is_reviewer=true() if who.is_reviewer else false(),
                active=true() if who.active else false(),
            )
        return cls(  # the User entity or an alias of it, in the statement's FROM clause
            id=who.id,
            email=who.email,
            department_id=who.department_id,
            is_reviewer=who.is_reviewer.is_(True),
            active=who.active.is_(True),
        )


# --------------------------------------------------------------------------------------------
# Conflicts of interest


def automatic_kind(who: Any) -> ColumnElement[Any]:
    """SQL: the automatic conflict kind of the reviewer with the Nomination row, NULL if none
    (is the nominee, is the nominator, or same department when the round asks for it)."""
    reviewer = Reviewer.of(who)
    return case(
        (
            and_(Nomination.nominee_email != "", Nomination.nominee_email == reviewer.email),
            literal(ConflictKind.IS_NOMINEE.value),
        ),
        (Nomination.nominator_id == reviewer.id, literal(ConflictKind.IS_NOMINATOR.value)),
        (
            and_(
                AwardRound.department_conflicts.is_(True),
                Nomination.nominee_department_id.is_not(None),
                Nomination.nominee_department_id == reviewer.department_id,
            ),
            literal(ConflictKind.SAME_DEPARTMENT.value),
        ),
        else_=None,
    )


def conflict_clause(who: Any) -> ColumnElement[bool]:
    """SQL: a conflict of interest between the reviewer and the Nomination row is in force
    (declared and not cleared, or automatic and not cleared)."""
    reviewer = Reviewer.of(who)
    row = and_(
        ConflictOfInterest.nomination_id == Nomination.id,
        ConflictOfInterest.reviewer_id == reviewer.id,
    )
    declared = exists().where(
        row, ConflictOfInterest.automatic.is_(False), ConflictOfInterest.cleared_at.is_(None)
    )
    cleared = exists().where(row, ConflictOfInterest.cleared_at.is_not(None))
    return or_(declared, and_(automatic_kind(reviewer).is_not(None), ~cleared))


# --------------------------------------------------------------------------------------------
# Panels and what is owed


def call_closed_clause(at: datetime | None = None) -> ColumnElement[bool]:
    """SQL twin of ``call_state(round) is CLOSED`` (needs AwardRound in the FROM clause)."""
    at = at or current_time()
    return or_(AwardRound.status.not_in(list(CLOCK_STATUSES)), AwardRound.closes_at <= at)


def covering_clause(reviewer_id: Any) -> ColumnElement[bool]:
    """SQL: the reviewer (an id, or a column of ids) sits on a panel of the round covering
    the Nomination's category."""
    return exists().where(
        PanelMember.user_id == reviewer_id,
        Panel.id == PanelMember.panel_id,
        Panel.round_id == AwardCategory.round_id,
        or_(Panel.category_id.is_(None), Panel.category_id == Nomination.category_id),
    )


def owes_clause(who: Any, at: datetime | None = None) -> ColumnElement[bool]:
    """SQL: the reviewer owes a review of the Nomination row (the whole rule, see above)."""
    reviewer = Reviewer.of(who)
    return and_(
        reviewer.is_reviewer,
        reviewer.active,
        Nomination.status.in_(list(REVIEWABLE_STATUSES)),
        call_closed_clause(at),
        covering_clause(reviewer.id),
        ~conflict_clause(reviewer),
    )


def nominations_in_round(*columns: Any) -> Select:
    """SELECT columns FROM nominations JOIN categories JOIN rounds (the clauses' shape)."""
    return (
        db.select(*columns)
        .select_from(Nomination)
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .join(AwardRound, AwardRound.id == AwardCategory.round_id)
    )


def assignments(
    award_round: AwardRound,
    *,
    category_id: int | None = None,
    at: datetime | None = None,
) -> Select:
    """(reviewer id, nomination id) of every review owed in the round (or one category)."""
    statement = (
        nominations_in_round(User.id, Nomination.id)
        .join(User, owes_clause(User, at))
        .where(AwardRound.id == award_round.id)
    )
    if category_id is not None:
        statement = statement.where(Nomination.category_id == category_id)
    return statement


def owed_pairs(award_round: AwardRound, *, category_id: int | None = None) -> dict[int, set[int]]:
    """Nomination id -> ids of the reviewers who owe it a review (one query)."""
    owed: dict[int, set[int]] = {}
    for user_id, nomination_id in db.session.execute(
        assignments(award_round, category_id=category_id)
    ).all():
        owed.setdefault(nomination_id, set()).add(user_id)
    return owed


def conflicted_nomination_ids(
    user: User, award_round: AwardRound, *, category_id: int | None = None
) -> set[int]:
    """Ids of the round's nominations (or one category's) ``user`` has a conflict with."""
    if not user.is_authenticated:
        return set()
    statement = nominations_in_round(Nomination.id).where(
        AwardRound.id == award_round.id, conflict_clause(user)
    )
    if category_id is not None:
        statement = statement.where(Nomination.category_id == category_id)
    return set(db.session.execute(statement).scalars())


# --------------------------------------------------------------------------------------------
# The same rule for one pair (it runs the clause, so it cannot disagree with it)


def _holds(clause: ColumnElement[bool], nomination: Nomination) -> bool:
    statement = nominations_in_round(Nomination.id).where(Nomination.id == nomination.id, clause)
    return db.session.execute(statement).first() is not None


def owes(user: User, nomination: Nomination, at: datetime | None = None) -> bool:
    return bool(user.is_authenticated) and _holds(owes_clause(user, at), nomination)


def conflicted(user: User, nomination: Nomination) -> bool:
    return bool(user.is_authenticated) and _holds(conflict_clause(user), nomination)
