"""What a category's ranking is computed from, loaded as plain values in five queries: the
rubric, the nominations under review, the reviewers on the round's panels, who owes a review
of what (the one assignment rule, asked, never copied) and every submitted review with its
scores, one row per review (the scores pivoted by criterion in SQL: 12 000 rows for 1 000
nominations and 12 reviewers, not 60 000).

Nothing here depends on who looks: the nominations a viewer has a conflict with are left out
by ``ranking.py`` before anything is computed. Every column these queries read is in
``ranking_version.WATCHED`` (a test checks it), so a change to any of them gives the category a
new stamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import case, func

from nominations.models import (
    AwardCategory,
    Criterion,
    Department,
    Nomination,
    Review,
    ReviewScore,
    ReviewStatus,
    User,
    db,
)
from nominations.workflow import assignment, review_scope


@dataclass(frozen=True, slots=True)
class RubricCriterion:
    """A criterion of the category's rubric, as the ranking and its export use it."""

    id: int
    name: str
    name_nb: str  # the bokmål name (languages.localized picks the reader's)
    weight: float
    scale_min: int
    scale_max: int


@dataclass(frozen=True, slots=True)
class NominationFacts:
    id: int
    nominee_name: str
    nominee_email: str
    department: str
    status: str


class SubmittedReview(NamedTuple):  # a tuple: 12 000 of them are built in a few ms
    nomination_id: int
    reviewer_id: int
    recommendation: str | None
    scores: tuple[int | None, ...]  # in the order of the rubric's criteria; None: not scored


@dataclass(frozen=True)
class RankingInputs:
    criteria: tuple[RubricCriterion, ...]
    nominations: tuple[NominationFacts, ...]  # under review, by nominee name
    reviewer_names: dict[int, str]  # active reviewers on a panel of the round
    owed: dict[int, set[int]]  # nomination id -> reviewers who owe it a review
    reviews: tuple[SubmittedReview, ...]


def criteria_query(category_id: int):
    return (
        db.select(
            Criterion.id,
            Criterion.name,
            Criterion.name_nb,
            Criterion.weight,
            Criterion.scale_min,
            Criterion.scale_max,
        )
        .where(Criterion.category_id == category_id)
        .order_by(Criterion.position, Criterion.id)
    )


def nominations_query(category: AwardCategory):
    return review_scope.reviewable_query(
        category.round,
        category.id,
        Nomination.id,
        Nomination.nominee_name,
        Nomination.nominee_email,
        func.coalesce(Department.name, ""),
        Nomination.status,
    ).outerjoin(Department, Department.id == Nomination.nominee_department_id)


def reviewers_query(category: AwardCategory):
    """(id, name) of the active reviewers on a panel of the round."""
    return review_scope.panel_reviewers_query(category.round, User.id, User.name).distinct()


def reviews_query(category_id: int, criteria: tuple[RubricCriterion, ...]):
    """One row per submitted review: nomination, reviewer, recommendation, then its score on
    each criterion (NULL where not scored)."""
    return (
        db.select(
            Review.nomination_id,
            Review.reviewer_id,
            Review.recommendation,
            *(
                func.max(case((ReviewScore.criterion_id == c.id, ReviewScore.score)))
                for c in criteria
            ),
        )
        .join(Nomination, Nomination.id == Review.nomination_id)
        .outerjoin(ReviewScore, ReviewScore.review_id == Review.id)
        .where(Nomination.category_id == category_id, Review.status == ReviewStatus.SUBMITTED)
        .group_by(Review.id, Review.nomination_id, Review.reviewer_id, Review.recommendation)
    )


def load(category: AwardCategory) -> RankingInputs:
    award_round = category.round
    session = db.session
    criteria = tuple(RubricCriterion(*row) for row in session.execute(criteria_query(category.id)))
    nominations = tuple(
        NominationFacts(*row) for row in session.execute(nominations_query(category))
    )
    reviewer_names = dict(session.execute(reviewers_query(category)).all())
    owed = assignment.owed_pairs(award_round, category_id=category.id)
    recommendations: dict[str | None, str | None] = {}  # one string per value, not per row
    reviews = tuple(
        SubmittedReview(
            nomination_id,
            reviewer_id,
            recommendations.setdefault(recommendation, recommendation),
            tuple(scores),
        )
        for nomination_id, reviewer_id, recommendation, *scores in session.execute(
            reviews_query(category.id, criteria)
        )
    )
    return RankingInputs(criteria, nominations, reviewer_names, owed, reviews)
