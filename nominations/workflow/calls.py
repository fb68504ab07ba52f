"""Whether a call accepts nominations: decided by the clock, not by whether a job has run.

The scheduler moves a round's status on time, but the server never waits for it: a round
whose opening time has come is open (once an administrator has confirmed its opening), and one
whose closing time has passed is closed, to the second, whatever the status column says yet.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select

from nominations.models import AwardCategory, AwardRound, RoundStatus, db
from nominations.timeutil import now as current_time


class CallState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


# Statuses in which the clock alone decides; later statuses are closed whatever the time.
CLOCK_STATUSES = (RoundStatus.DRAFT, RoundStatus.OPEN)


def opening_confirmed(award_round: AwardRound) -> bool:
    """Whether the round may open: it is open, or an administrator confirmed its opening
    (workflow.opening); a draft nobody confirmed stays closed whatever the clock says."""
    return award_round.status != RoundStatus.DRAFT or award_round.opening_confirmed_at is not None


def call_state(award_round: AwardRound, at: datetime | None = None) -> CallState:
    at = at or current_time()
    if award_round.status not in CLOCK_STATUSES or at >= award_round.closes_at:
        return CallState.CLOSED
    if at < award_round.opens_at or not opening_confirmed(award_round):
        return CallState.UPCOMING
    return CallState.OPEN


def accepts_nominations(award_round: AwardRound, at: datetime | None = None) -> bool:
    return call_state(award_round, at) is CallState.OPEN


def open_round_conditions(at) -> list:
    """The WHERE clause of "the round's call is open at ``at``" (a datetime or a bind
    parameter), the SQL twin of ``call_state(...) is CallState.OPEN``."""
    return [
        # CLOCK_STATUSES and opening_confirmed(), without an IN list (which SQLAlchemy would
        # expand anew at every execution of a statement built once).
        db.or_(
            AwardRound.status == RoundStatus.OPEN,
            db.and_(
                AwardRound.status == RoundStatus.DRAFT,
                AwardRound.opening_confirmed_at.is_not(None),
            ),
        ),
        AwardRound.opens_at <= at,
        AwardRound.closes_at > at,
    ]


OPEN_CALL_ORDER = (AwardRound.closes_at, AwardRound.id, AwardCategory.position, AwardCategory.id)


def open_categories_query(at: datetime | None = None) -> Select:
    """Categories of calls open at ``at``, with their round loaded, ordered by closing time."""
    at = at or current_time()
    return (
        db.select(AwardCategory)
        .join(AwardCategory.round)
        .options(db.contains_eager(AwardCategory.round))
        .where(*open_round_conditions(at))
        .order_by(*OPEN_CALL_ORDER)
    )
