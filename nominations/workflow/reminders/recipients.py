"""Who receives which reminder; reviewers through ``workflow/assignment.py`` (the one rule for
who reviews what)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists

from nominations.models import (
    AwardCategory,
    AwardRound,
    Nomination,
    NominationStatus,
    Panel,
    PanelMember,
    ReminderKind,
    Review,
    ReviewStatus,
    User,
    db,
)
from nominations.workflow import assignment

KIND_RECIPIENTS = {
    ReminderKind.CALL_OPENED: _l("all active staff"),
    ReminderKind.CALL_CLOSING: _l("all active staff"),
    ReminderKind.DRAFT_PENDING: _l("nominators with unsubmitted drafts in this round"),
    ReminderKind.REVIEW_DUE: _l("panel members with reviews still to do, listing them"),
    ReminderKind.RESULTS_PUBLISHED: _l("nominators and nominees (sent when results are published)"),
}


def active_staff() -> list[User]:
    return list(
        db.session.execute(
            db.select(User).where(User.active, User.is_staff).order_by(User.id)
        ).scalars()
    )


def active_admins() -> list[User]:
    return list(
        db.session.execute(
            db.select(User).where(User.active, User.is_admin).order_by(User.id)
        ).scalars()
    )


def drafts_by_nominator(award_round: AwardRound) -> dict[User, list[Nomination]]:
    """Active nominators with unsubmitted drafts in the round, with those drafts."""
    rows = db.session.execute(
        db.select(Nomination)
        .join(Nomination.category)
        .join(Nomination.nominator)
        .options(db.contains_eager(Nomination.category), db.contains_eager(Nomination.nominator))
        .where(
            AwardCategory.round_id == award_round.id,
            Nomination.status == NominationStatus.DRAFT,
            User.active,
        )
        .order_by(User.id, AwardCategory.position, AwardCategory.id, Nomination.id)
    ).scalars()
    result: dict[User, list[Nomination]] = {}
    for nomination in rows:
        result.setdefault(nomination.nominator, []).append(nomination)
    return result


def missing_reviews(award_round: AwardRound) -> dict[User, list[Nomination]]:
    """Each reviewer of the round and the reviews they still owe (``assignment.assignments``,
    the one rule for who reviews what), minus those they have submitted; one query."""
    reviewed = exists().where(
        Review.nomination_id == Nomination.id,
        Review.reviewer_id == User.id,
        Review.status == ReviewStatus.SUBMITTED,
    )
    rows = db.session.execute(
        assignment.assignments(award_round)
        .with_only_columns(User, Nomination)
        .where(~reviewed)
        .order_by(User.id, AwardCategory.position, AwardCategory.id, Nomination.id)
    ).all()
    result: dict[User, list[Nomination]] = {}
    for user, nomination in rows:
        result.setdefault(user, []).append(nomination)
    return result


def panel_members(award_round: AwardRound) -> list[User]:
    return list(
        db.session.execute(
            db.select(User)
            .join(PanelMember, PanelMember.user_id == User.id)
            .join(Panel, Panel.id == PanelMember.panel_id)
            .where(Panel.round_id == award_round.id, User.active)
            .distinct()
            .order_by(User.id)
        ).scalars()
    )


def recipients_of(kind: str, award_round: AwardRound) -> list[tuple[User, list[Nomination]]]:
    """The people an N-days-before reminder of this kind goes to, each with the nominations it
    is about (their drafts, the reviews they owe; none for the closing call)."""
    if kind == ReminderKind.CALL_CLOSING:
        return [(user, []) for user in active_staff()]
    if kind == ReminderKind.DRAFT_PENDING:
        return list(drafts_by_nominator(award_round).items())
    if kind == ReminderKind.REVIEW_DUE:
        return list(missing_reviews(award_round).items())
    return []
