"""The reviewer's overview: the rounds whose panels he sits on, the categories he covers in
each, and how far his own reviews are (reads only; the page is ``review/reviewing.py``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select

from nominations.models import (
    AwardCategory,
    AwardRound,
    Nomination,
    Panel,
    PanelMember,
    PanelRole,
    Review,
    ReviewStatus,
    RoundStatus,
    User,
    db,
)
from nominations.workflow import access
from nominations.workflow.conflicts import hidden_counts


@dataclass
class CategoryEntry:
    category: AwardCategory
    total: int = 0
    submitted: int = 0
    drafts: int = 0


@dataclass
class RoundEntry:
    award_round: AwardRound
    closed: bool
    chair: bool = False
    all_categories: bool = False
    category_ids: set[int] = field(default_factory=set)
    entries: list[CategoryEntry] = field(default_factory=list)
    hidden: int = 0


def _memberships(user: User) -> list[PanelMember]:
    """The user's panel seats with panel, round and the round's categories loaded."""
    return list(
        db.session.execute(
            db.select(PanelMember)
            .join(Panel, Panel.id == PanelMember.panel_id)
            .join(AwardRound, AwardRound.id == Panel.round_id)
            .where(PanelMember.user_id == user.id)
            .options(
                db.contains_eager(PanelMember.panel)
                .contains_eager(Panel.round)
                .selectinload(AwardRound.categories)
            )
            .order_by(AwardRound.closes_at.desc(), AwardRound.id)
        )
        .unique()
        .scalars()
    )


def _own_tallies(user: User) -> dict[int, list[int]]:
    """Per category: [nominations he sees, his submitted reviews, his drafts], in one query
    for all rounds."""
    statement = (
        access.visible_nominations_query(user, panel_only=True)
        .with_only_columns(Nomination.category_id, Review.status)
        .outerjoin(
            Review, (Review.nomination_id == Nomination.id) & (Review.reviewer_id == user.id)
        )
        .order_by(None)
    )
    tallies: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for category_id, status in db.session.execute(statement).all():
        tally = tallies[category_id]
        tally[0] += 1
        tally[1] += status == ReviewStatus.SUBMITTED
        tally[2] += status == ReviewStatus.DRAFT
    return tallies


def reviewer_rounds(user: User) -> list[RoundEntry]:
    """The rounds ``user`` reviews in (none without the reviewer role), newest first, each
    with the categories he covers, his progress in each, and how many nominations a conflict
    hides from him once the call has closed."""
    if not user.is_reviewer:
        return []
    rounds: dict[int, RoundEntry] = {}
    for member in _memberships(user):
        award_round = member.panel.round
        entry = rounds.setdefault(
            award_round.id, RoundEntry(award_round, access.call_closed(award_round))
        )
        entry.chair |= member.role == PanelRole.CHAIR
        if member.panel.category_id is None:
            entry.all_categories = True
        else:
            entry.category_ids.add(member.panel.category_id)
    if not rounds:
        return []
    tallies = _own_tallies(user)
    hidden = hidden_counts(user, [r for r, entry in rounds.items() if entry.closed])
    for entry in rounds.values():
        for category in entry.award_round.categories:
            if entry.all_categories or category.id in entry.category_ids:
                total, submitted, drafts = tallies.get(category.id, (0, 0, 0))
                entry.entries.append(CategoryEntry(category, total, submitted, drafts))
        entry.hidden = hidden.get(entry.award_round.id, 0)
    return list(rounds.values())


def rounds_past_draft_query() -> Select:
    """Every round an admin may follow on the review pages (all but drafts), newest first."""
    return (
        db.select(AwardRound)
        .where(AwardRound.status != RoundStatus.DRAFT)
        .options(db.selectinload(AwardRound.categories))
        .order_by(AwardRound.closes_at.desc(), AwardRound.id)
    )
