"""The panel's progress in a round: each reviewer's submitted / expected reviews and the
nominations still lacking reviews; derived from the reviews, never stored.

Expected reviews are the one assignment rule (``assignment.owed_pairs``); the reviewers and
nominations counted are those of the ranking (``review_scope``), and a viewer with a conflict
sees neither the nominations concerned nor any count that includes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from nominations.languages import localized
from nominations.models import AwardCategory, AwardRound, Nomination, Review, ReviewStatus, User, db
from nominations.workflow import assignment, review_scope


@dataclass
class ReviewerProgress:
    reviewer_id: int
    name: str
    email: str
    expected: int = 0
    submitted: int = 0
    drafts: int = 0

    @property
    def remaining(self) -> int:
        return self.expected - self.submitted


@dataclass
class NominationProgress:
    nomination_id: int
    nominee_name: str
    category_id: int
    category_name: str
    expected: int
    submitted: int
    missing_names: list[str]

    @property
    def missing(self) -> int:
        return self.expected - self.submitted


@dataclass
class Progress:
    award_round: AwardRound
    reviewers: list[ReviewerProgress]
    lacking: list[NominationProgress]
    nominations: int
    hidden_count: int = 0  # left out: the viewer has a conflict with them

    @property
    def expected(self) -> int:
        return sum(r.expected for r in self.reviewers)

    @property
    def submitted(self) -> int:
        return sum(r.submitted for r in self.reviewers)


def round_progress(
    award_round: AwardRound, only: set[int] | None = None, *, viewer: User | None = None
) -> Progress:
    """Each reviewer's submitted / expected reviews and the nominations still lacking reviews,
    in a constant number of queries; ``only``: of these categories (ids) alone, and only the
    reviewers on panels covering one of them (None: the whole round). ``viewer``: the
    nominations he has a conflict with are left out of every count and list."""
    categories = {c.id: c for c in award_round.categories if only is None or c.id in only}
    members = {
        user_id: member
        for user_id, member in review_scope.panel_reviewers(award_round).items()
        if only is None or any(member.covers(category_id) for category_id in categories)
    }
    hidden = review_scope.hidden_from(viewer, award_round, None)
    reviewable = review_scope.reviewable_nominations(award_round, None)
    in_categories = [n for n in reviewable if n.category_id in categories]
    nominations = [n for n in in_categories if n.id not in hidden]
    owed = assignment.owed_pairs(award_round)
    statuses = {
        (nomination_id, reviewer_id): status
        for nomination_id, reviewer_id, status in db.session.execute(
            db.select(Review.nomination_id, Review.reviewer_id, Review.status)
            .join(Nomination, Nomination.id == Review.nomination_id)
            .join(AwardCategory, AwardCategory.id == Nomination.category_id)
            .where(AwardCategory.round_id == award_round.id)
        ).all()
    }
    progress = {
        user_id: ReviewerProgress(user_id, member.user.name, member.user.email)
        for user_id, member in members.items()
    }
    lacking: list[NominationProgress] = []
    for nomination in nominations:
        expected = owed.get(nomination.id, set())
        missing = []
        for user_id in expected:
            entry = progress[user_id]
            entry.expected += 1
            status = statuses.get((nomination.id, user_id))
            if status == ReviewStatus.SUBMITTED:
                entry.submitted += 1
            else:
                missing.append(entry.name)
                if status == ReviewStatus.DRAFT:
                    entry.drafts += 1
        if missing:
            category = categories[nomination.category_id]
            lacking.append(
                NominationProgress(
                    nomination.id,
                    nomination.nominee_name,
                    category.id,
                    localized(category, "name"),
                    len(expected),
                    len(expected) - len(missing),
                    sorted(missing, key=str.casefold),
                )
            )
    lacking.sort(key=lambda n: (categories[n.category_id].position, n.category_id, n.nominee_name))
    return Progress(
        award_round=award_round,
        reviewers=sorted(progress.values(), key=lambda r: (r.name.casefold(), r.reviewer_id)),
        lacking=lacking,
        nominations=len(nominations),
        hidden_count=len(in_categories) - len(nominations),
    )
