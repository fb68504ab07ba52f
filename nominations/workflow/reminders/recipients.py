"""Who receives which reminder; reviewers through ``workflow/assignment.py`` (the one rule for
who reviews what)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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
    ReminderKind.REVIEW_DUE: _l(
        "panel members with reviews still to do, listing them when ten or fewer"
    ),
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


def _still_missing():
    """Correlated on (User, Nomination): the reviewer has not submitted his review of it."""
    return ~exists().where(
        Review.nomination_id == Nomination.id,
        Review.reviewer_id == User.id,
        Review.status == ReviewStatus.SUBMITTED,
    )


def missing_reviews(
    award_round: AwardRound, user_ids: Iterable[int] | None = None
) -> dict[User, list[Nomination]]:
    """Each reviewer of the round (or the reviewers ``user_ids``) and the reviews they still
    owe (``assignment.assignments``, the one rule for who reviews what), minus those they have
    submitted; one query."""
    statement = (
        assignment.assignments(award_round)
        .with_only_columns(User, Nomination)
        .where(_still_missing())
        .order_by(User.id, AwardCategory.position, AwardCategory.id, Nomination.id)
    )
    if user_ids is not None:
        statement = statement.where(User.id.in_(list(user_ids)))
    result: dict[User, list[Nomination]] = {}
    for user, nomination in db.session.execute(statement).all():
        result.setdefault(user, []).append(nomination)
    return result


def missing_review_counts(award_round: AwardRound) -> dict[int, int]:
    """How many reviews each reviewer of the round still owes, by user id (the same rule as
    ``missing_reviews``, counted in the database); reviewers who owe none are left out."""
    rows = db.session.execute(
        assignment.assignments(award_round)
        .with_only_columns(User.id, db.func.count(Nomination.id))
        .where(_still_missing())
        .group_by(User.id)
    ).all()
    return dict(rows)


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


# A review reminder names the nominations still to review when there are this few; beyond,
# it gives their number and links to the reviewer's list (a panel may owe thousands).
LIST_REVIEWS_UP_TO = 10


@dataclass
class Recipient:
    """A person a reminder goes to, with the nominations it is about: how many, and those it
    lists (their drafts; the reviews still owed, when few)."""

    user: User
    count: int = 0
    items: list[Nomination] = field(default_factory=list)


def reviewers_owing(award_round: AwardRound) -> list[Recipient]:
    """The round's reviewers with reviews still to do, with how many, listing them when few."""
    counts = missing_review_counts(award_round)
    if not counts:
        return []
    users = db.session.execute(
        db.select(User).where(User.id.in_(list(counts))).order_by(User.id)
    ).scalars()
    few = [user_id for user_id, count in counts.items() if count <= LIST_REVIEWS_UP_TO]
    listed = {}
    if few:
        listed = {user.id: items for user, items in missing_reviews(award_round, few).items()}
    return [Recipient(user, counts[user.id], listed.get(user.id, [])) for user in users]


def recipients_of(kind: str, award_round: AwardRound) -> list[Recipient]:
    """The people an N-days-before reminder of this kind goes to, each with the nominations it
    is about (their drafts, the reviews they owe; none for the closing call)."""
    if kind == ReminderKind.CALL_CLOSING:
        return [Recipient(user) for user in active_staff()]
    if kind == ReminderKind.DRAFT_PENDING:
        return [
            Recipient(user, len(items), items)
            for user, items in drafts_by_nominator(award_round).items()
        ]
    if kind == ReminderKind.REVIEW_DUE:
        return reviewers_owing(award_round)
    return []
