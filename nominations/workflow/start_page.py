"""What each person has to do, for the start page (reads only; a fixed number of queries
whatever the data: one or two per section).

- staff: their drafts in calls still open, with the days left;
- reviewer: the reviews they owe (``workflow/assignment.py``: the one rule) in rounds not yet
  decided, with the deadline; a finished round is never "still to do";
- chair: per round they chair, reviews in of those owed, and automatic conflicts to clear;
- administrator: each round not yet published with its next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext, ngettext
from sqlalchemy import and_, case, exists, func, literal, or_
from sqlalchemy.orm import aliased

from nominations.models import (
    AwardCategory,
    AwardRound,
    ConflictOfInterest,
    Nomination,
    NominationStatus,
    Panel,
    PanelMember,
    PanelRole,
    Review,
    ReviewStatus,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now, to_local
from nominations.workflow import assignment
from nominations.workflow.calls import CLOCK_STATUSES

FINISHED = (RoundStatus.DECIDED, RoundStatus.PUBLISHED)


def days_left(until: datetime, at: datetime | None = None) -> int:
    """Whole local days from today to the day of ``until`` (0: today)."""
    return (to_local(until).date() - to_local(at or now()).date()).days


@dataclass(frozen=True)
class Draft:
    nomination: Nomination
    days_left: int


@dataclass(frozen=True)
class ReviewsDue:
    award_round: AwardRound
    to_do: int


@dataclass(frozen=True)
class ChairedRound:
    award_round: AwardRound
    owed: int
    submitted: int
    conflicts_to_clear: int


@dataclass(frozen=True)
class AdminRound:
    award_round: AwardRound
    next_step: str


def open_drafts(user: User, at: datetime | None = None) -> list[Draft]:
    at = at or now()
    drafts = db.session.execute(
        db.select(Nomination)
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .join(AwardRound, AwardRound.id == AwardCategory.round_id)
        .options(db.contains_eager(Nomination.category).contains_eager(AwardCategory.round))
        .where(
            Nomination.nominator_id == user.id,
            Nomination.status == NominationStatus.DRAFT,
            AwardRound.status.in_(CLOCK_STATUSES),
            AwardRound.opens_at <= at,
            AwardRound.closes_at > at,
        )
        .order_by(AwardRound.closes_at, Nomination.id)
    ).scalars()
    return [Draft(d, days_left(d.category.round.closes_at, at)) for d in drafts]


def _by_round(statement) -> dict[int, tuple]:
    return {row[0]: tuple(row[1:]) for row in db.session.execute(statement).all()}


def _rounds(ids) -> list[AwardRound]:
    if not ids:
        return []
    return list(
        db.session.execute(
            db.select(AwardRound)
            .where(AwardRound.id.in_(list(ids)))
            .order_by(AwardRound.review_deadline, AwardRound.id)
        ).scalars()
    )


def _submitted_by(reviewer_id) -> object:
    return exists().where(
        Review.nomination_id == Nomination.id,
        Review.reviewer_id == reviewer_id,
        Review.status == ReviewStatus.SUBMITTED,
    )


def reviews_due(user: User) -> list[ReviewsDue]:
    """Rounds (not decided or published) in which ``user`` owes reviews not yet submitted."""
    if not user.is_reviewer:
        return []
    counts = _by_round(
        assignment.nominations_in_round(AwardRound.id, func.count(Nomination.id))
        .where(
            assignment.owes_clause(user),
            ~_submitted_by(literal(user.id)),
            AwardRound.status.not_in(FINISHED),
        )
        .group_by(AwardRound.id)
    )
    return [ReviewsDue(r, counts[r.id][0]) for r in _rounds(counts)]


def _chairs_clause(user_id: int):
    """SQL: ``user_id`` chairs a panel of the round covering the Nomination's category."""
    return exists().where(
        PanelMember.user_id == user_id,
        PanelMember.role == PanelRole.CHAIR,
        Panel.id == PanelMember.panel_id,
        Panel.round_id == AwardCategory.round_id,
        or_(Panel.category_id.is_(None), Panel.category_id == Nomination.category_id),
    )


def chaired_rounds(user: User) -> list[ChairedRound]:
    """Rounds ``user`` chairs, not yet published: reviews in of those owed in the categories
    he oversees, and the automatic conflicts there he may clear (not his own, nor any on a
    nomination he is conflicted with)."""
    if not user.is_reviewer:
        return []
    chaired = set(
        db.session.execute(
            db.select(Panel.round_id)
            .join(PanelMember, PanelMember.panel_id == Panel.id)
            .join(AwardRound, AwardRound.id == Panel.round_id)
            .where(
                PanelMember.user_id == user.id,
                PanelMember.role == PanelRole.CHAIR,
                AwardRound.status != RoundStatus.PUBLISHED,
            )
        ).scalars()
    )
    if not chaired:
        return []
    progress = _by_round(
        assignment.nominations_in_round(
            AwardRound.id,
            func.count(),
            func.sum(case((_submitted_by(User.id), 1), else_=0)),
        )
        .join(User, assignment.owes_clause(User))
        .where(AwardRound.id.in_(chaired), _chairs_clause(user.id))
        .group_by(AwardRound.id)
    )
    stored = aliased(ConflictOfInterest)  # the chair's own conflict clause uses the table
    conflicts = _by_round(
        assignment.nominations_in_round(AwardRound.id, func.count(stored.id))
        .join(stored, stored.nomination_id == Nomination.id)
        .where(
            AwardRound.id.in_(chaired),
            _chairs_clause(user.id),
            and_(stored.automatic.is_(True), stored.cleared_at.is_(None)),
            stored.reviewer_id != user.id,
            ~assignment.conflict_clause(user),
        )
        .group_by(AwardRound.id)
    )
    return [
        ChairedRound(
            r,
            owed=progress.get(r.id, (0, 0))[0],
            submitted=int(progress.get(r.id, (0, 0))[1] or 0),
            conflicts_to_clear=conflicts.get(r.id, (0,))[0],
        )
        for r in _rounds(chaired)
    ]


def admin_rounds(at: datetime | None = None) -> list[AdminRound]:
    """Every round not yet published, with what the administrator does next."""
    at = at or now()
    rounds = db.session.execute(
        db.select(AwardRound)
        .where(AwardRound.status != RoundStatus.PUBLISHED)
        .options(db.selectinload(AwardRound.categories))
        .order_by(AwardRound.closes_at, AwardRound.id)
    ).scalars()
    submitted = _by_round(
        assignment.nominations_in_round(AwardRound.id, func.count(Nomination.id))
        .where(Nomination.status != NominationStatus.DRAFT)
        .group_by(AwardRound.id)
    )
    return [AdminRound(r, _next_step(r, submitted.get(r.id, (0,))[0], at)) for r in rounds]


def _next_step(award_round: AwardRound, nominations: int, at: datetime) -> str:
    if award_round.status == RoundStatus.DECIDED:
        return gettext("Decided: publish the results")
    if award_round.status in CLOCK_STATUSES and at < award_round.closes_at:
        if not award_round.categories:
            return gettext("Add categories")
        if at < award_round.opens_at:
            days = days_left(award_round.opens_at, at)
            if not days:
                return gettext("Opens today")
            return ngettext("Opens in %(num)d day", "Opens in %(num)d days", days)
        count = ngettext("%(num)d nomination", "%(num)d nominations", nominations)
        days = days_left(award_round.closes_at, at)
        if days == 0:
            return gettext("%(nominations)s, closes today", nominations=count)
        if days == 1:
            return gettext("%(nominations)s, closes tomorrow", nominations=count)
        return gettext("%(nominations)s, closes in %(days)d days", nominations=count, days=days)
    return ngettext(
        "%(num)d nomination in review: record the decisions",
        "%(num)d nominations in review: record the decisions",
        nominations,
    )
