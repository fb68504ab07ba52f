"""What a ranking and a progress report count: the reviewers on the round's panels, the
nominations under review, and the nominations left out for a viewer with a conflict.

Shared by ``workflow/ranking.py`` and ``workflow/progress.py`` so both count alike; who owes a
review of what is the one assignment rule (``workflow/assignment.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select

from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    Nomination,
    Panel,
    PanelMember,
    User,
    db,
)
from nominations.workflow import assignment


@dataclass
class PanelReviewer:
    """A reviewer on the round's panels and the categories they cover (None: every one)."""

    user: User
    categories: set[int | None] = field(default_factory=set)

    def covers(self, category_id: int) -> bool:
        return None in self.categories or category_id in self.categories


def panel_reviewers_query(award_round: AwardRound, *columns: Any) -> Select:
    """SELECT columns (default: the panel's category and the User) of the active reviewers
    sitting on a panel of the round, once per panel."""
    return (
        db.select(*(columns or (Panel.category_id, User)))
        .select_from(Panel)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .join(User, User.id == PanelMember.user_id)
        .where(Panel.round_id == award_round.id, User.is_reviewer.is_(True), User.active.is_(True))
    )


def panel_reviewers(award_round: AwardRound) -> dict[int, PanelReviewer]:
    """The active reviewers sitting on a panel of the round, by user id (one query)."""
    members: dict[int, PanelReviewer] = {}
    rows = db.session.execute(panel_reviewers_query(award_round)).all()
    for category_id, user in rows:
        members.setdefault(user.id, PanelReviewer(user)).categories.add(category_id)
    return members


def reviewable_query(award_round: AwardRound, category_id: int | None, *columns: Any) -> Select:
    """SELECT columns (default: the Nomination) of the round's (or one category's)
    nominations under review, by nominee name."""
    statement = (
        db.select(*(columns or (Nomination,)))
        .select_from(Nomination)
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .where(
            AwardCategory.round_id == award_round.id,
            Nomination.status.in_(list(REVIEWABLE_STATUSES)),
        )
        .order_by(Nomination.nominee_name, Nomination.id)
    )
    if category_id is not None:
        statement = statement.where(Nomination.category_id == category_id)
    return statement


def reviewable_nominations(award_round: AwardRound, category_id: int | None) -> list[Nomination]:
    """The round's (or one category's) nominations under review, by nominee name (one query)."""
    statement = reviewable_query(award_round, category_id).options(
        db.joinedload(Nomination.nominee_department)
    )
    return list(db.session.execute(statement).scalars())


def hidden_from(viewer: User | None, award_round: AwardRound, category_id: int | None) -> set[int]:
    """The nominations left out of every figure shown to ``viewer``: those he has a conflict
    with (none for no viewer: the system's own view)."""
    if viewer is None:
        return set()
    return assignment.conflicted_nomination_ids(viewer, award_round, category_id=category_id)
