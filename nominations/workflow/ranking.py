"""The ranking of a category: derived from the reviews, never stored (progress: ``progress.py``).

Which reviews count: submitted reviews of submitted (reviewable) nominations, by reviewers who
currently sit on a panel covering the category (with the reviewer role) and have no conflict
in force with the nomination. Drafts never count.

- **Weighted score** of a review: sum(weight x score) / sum(weight) over the criteria.
- **Mean**: the mean of a nomination's weighted scores.
- **Normalised score**: for each reviewer, their weighted scores over all their counted reviews
  in the category are turned into z-scores, z = (score - reviewer's mean) / reviewer's standard
  deviation (population standard deviation); the normalised score of a nomination is the mean
  of its z-scores. A reviewer with a single review in the category, or who gave every
  nomination the same weighted score (standard deviation 0), cannot be placed on their own
  scale: each of their reviews contributes z = 0 (exactly their own average).
- **Spread**: the range, highest minus lowest weighted score of a nomination (with two reviews
  or more). **Strong disagreement**: a spread of at least a third of the scale's width (2 points
  on a 1-7 scale).
- **Expected reviews** of a nomination: the reviewers who owe it a review
  (``assignment.assignments``); **missing** = expected - submitted.
- **Rank**: by normalised score, highest first; equal scores (to 6 decimals) share a rank
  number (1, 2, 2, 4). Nominations without reviews are unranked.

Who is expected to review what is the one assignment rule (``workflow/assignment.py``). For a
viewer with a conflict of interest, the nominations concerned are left out before anything is
computed, so no figure shown to him can be solved for a score he may not see.

Everything is loaded in a constant number of queries (criteria, nominations, panel members,
assignments, reviews with scores) and computed in Python, whatever the size of the category.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from nominations.models import (
    AwardCategory,
    Criterion,
    Nomination,
    Review,
    ReviewScore,
    ReviewStatus,
    User,
    db,
)
from nominations.workflow import assignment, review_scope
from nominations.workflow.reviews import weighted_total

SORT_KEYS: dict[str, str] = {
    "normalised": _l("normalised score"),
    "mean": _l("mean score"),
    "name": _l("name"),
    "reviews": _l("number of reviews"),
}
DEFAULT_DESCENDING = {"normalised": True, "mean": True, "name": False, "reviews": True}
DISAGREEMENT_FRACTION = 1 / 3
TIE_DECIMALS = 6

METHOD_TEXT = _l(
    "Each reviewer's weighted scores in this category are turned into z-scores (how many of "
    "that reviewer's own standard deviations a score lies above or below their own average), "
    "and a nomination's normalised score is the mean of its z-scores, so harsh and lenient "
    "reviewers weigh alike. A reviewer with only one review here, or who gave every nomination "
    "the same score, cannot be placed on their own scale and counts as z = 0 (their average) "
    "for each of their reviews."
)


@dataclass
class ReviewerStats:
    """A reviewer's counted reviews in the category, their mean and standard deviation (over
    the reviews the viewer may see, like every figure of the ranking)."""

    reviewer_id: int
    name: str
    reviews: int
    mean: float | None
    std: float | None
    # False: one review or no spread, so every z-score of this reviewer is 0.
    normalised: bool = field(init=False)

    def __post_init__(self) -> None:
        self.normalised = self.reviews >= 2 and self.std is not None and self.std > 1e-12


@dataclass
class RankingRow:
    nomination_id: int
    nominee_name: str
    nominee_email: str
    department: str
    status: str
    reviews: int
    expected: int
    mean: float | None = None
    normalised: float | None = None
    spread: float | None = None
    disagreement: bool = False
    rank: int | None = None
    tied: bool = False
    scores: dict[int, float] = field(default_factory=dict)  # reviewer id -> weighted score
    z_scores: dict[int, float] = field(default_factory=dict)
    criterion_scores: dict[int, dict[int, int]] = field(default_factory=dict)
    recommendations: dict[int, str | None] = field(default_factory=dict)
    missing_reviewer_ids: list[int] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(self.expected - self.reviews, 0)

    @property
    def missing_reviews(self) -> bool:
        return self.missing > 0


@dataclass
class Ranking:
    category: AwardCategory
    criteria: list[Criterion]
    reviewers: list[ReviewerStats]
    rows: list[RankingRow]
    sort: str
    descending: bool
    scale_min: int
    scale_max: int
    disagreement_threshold: float
    hidden_count: int = 0

    @property
    def reviewer_names(self) -> dict[int, str]:
        return {r.reviewer_id: r.name for r in self.reviewers}


# --------------------------------------------------------------------------------------------
# The ranking


def zscores(values: dict[int, float]) -> tuple[dict[int, float], float | None, float | None]:
    """z-scores of one reviewer's weighted scores (keyed by nomination id), their mean and
    population standard deviation; all z = 0 with one value or no spread."""
    if not values:
        return {}, None, None
    mean = statistics.fmean(values.values())
    std = statistics.pstdev(values.values()) if len(values) > 1 else None
    if std is None or std <= 1e-12:
        return dict.fromkeys(values, 0.0), mean, std
    return {key: (value - mean) / std for key, value in values.items()}, mean, std


def _assign_ranks(rows: list[RankingRow]) -> None:
    """Competition ranking by normalised score (1, 2, 2, 4); equal to 6 decimals is a tie."""
    ranked = sorted(
        (r for r in rows if r.normalised is not None),
        key=lambda r: -round(r.normalised, TIE_DECIMALS),
    )
    counts: dict[float, int] = defaultdict(int)
    for row in ranked:
        counts[round(row.normalised, TIE_DECIMALS)] += 1
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        key = round(row.normalised, TIE_DECIMALS)
        if key != previous:
            rank, previous = position, key
        row.rank = rank
        row.tied = counts[key] > 1


def _sort(rows: list[RankingRow], sort: str, descending: bool) -> list[RankingRow]:
    def name_key(row: RankingRow) -> tuple:
        return (row.nominee_name.casefold(), row.nomination_id)

    if sort == "name":
        return sorted(rows, key=name_key, reverse=descending)
    value = {
        "normalised": lambda r: r.normalised,
        "mean": lambda r: r.mean,
        "reviews": lambda r: r.reviews,
    }[sort]
    present = [r for r in rows if value(r) is not None]
    absent = [r for r in rows if value(r) is None]
    present.sort(key=name_key)  # stable: ties stay in name order
    present.sort(key=lambda r: round(value(r), TIE_DECIMALS), reverse=descending)
    return present + sorted(absent, key=name_key)


def compute_ranking(
    category: AwardCategory,
    *,
    sort: str = "normalised",
    descending: bool | None = None,
    viewer: User | None = None,
) -> Ranking:
    """The category's ranking (rows as dataclasses), in a constant number of queries.

    ``viewer``: the nominations the viewer has a conflict with are left out *before*
    anything is computed, so every figure (z-scores, means, spreads, reviewer figures, ranks)
    comes from the reviews the viewer may see alone and cannot be solved for a hidden score;
    ``hidden_count`` says how many were left out. Permission is the caller's business
    (``access.can_view_ranking``).
    """
    sort = sort if sort in SORT_KEYS else "normalised"
    descending = DEFAULT_DESCENDING[sort] if descending is None else descending
    award_round = category.round
    criteria = list(
        db.session.execute(
            db.select(Criterion)
            .where(Criterion.category_id == category.id)
            .order_by(Criterion.position, Criterion.id)
        ).scalars()
    )
    members = review_scope.panel_reviewers(award_round)
    hidden = review_scope.hidden_from(viewer, award_round, category.id)
    in_category = review_scope.reviewable_nominations(award_round, category.id)
    nominations = [n for n in in_category if n.id not in hidden]
    owed = assignment.owed_pairs(award_round, category_id=category.id)
    score_rows = db.session.execute(
        db.select(
            Review.nomination_id,
            Review.reviewer_id,
            Review.recommendation,
            ReviewScore.criterion_id,
            ReviewScore.score,
        )
        .join(Nomination, Nomination.id == Review.nomination_id)
        .outerjoin(ReviewScore, ReviewScore.review_id == Review.id)
        .where(
            Nomination.category_id == category.id,
            Review.status == ReviewStatus.SUBMITTED,
            Nomination.id.not_in(hidden),
        )
    ).all()

    by_review: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    recommendations: dict[tuple[int, int], str | None] = {}
    for nomination_id, reviewer_id, recommendation, criterion_id, score in score_rows:
        key = (nomination_id, reviewer_id)
        recommendations[key] = recommendation
        if criterion_id is not None:
            by_review[key][criterion_id] = score

    rows: list[RankingRow] = []
    expected_by_nomination: dict[int, set[int]] = {}
    for nomination in nominations:
        expected = owed.get(nomination.id, set())
        expected_by_nomination[nomination.id] = expected
        rows.append(
            RankingRow(
                nomination_id=nomination.id,
                nominee_name=nomination.nominee_name,
                nominee_email=nomination.nominee_email,
                department=nomination.nominee_department.name
                if nomination.nominee_department
                else "",
                status=nomination.status,
                reviews=0,
                expected=len(expected),
            )
        )

    # The counted weighted scores, by reviewer and by nomination.
    per_reviewer: dict[int, dict[int, float]] = defaultdict(dict)
    for (nomination_id, reviewer_id), scores in by_review.items():
        if reviewer_id not in expected_by_nomination.get(nomination_id, ()):
            continue
        total = weighted_total(scores, criteria)
        if total is not None:
            per_reviewer[reviewer_id][nomination_id] = total
    reviewers: list[ReviewerStats] = []
    z_by_reviewer: dict[int, dict[int, float]] = {}
    for reviewer_id, values in per_reviewer.items():
        z_by_reviewer[reviewer_id], mean, std = zscores(values)
        reviewers.append(
            ReviewerStats(reviewer_id, members[reviewer_id].user.name, len(values), mean, std)
        )
    reviewers.sort(key=lambda r: (r.name.casefold(), r.reviewer_id))

    scale_min = min((c.scale_min for c in criteria), default=0)
    scale_max = max((c.scale_max for c in criteria), default=0)
    threshold = DISAGREEMENT_FRACTION * (scale_max - scale_min)
    for row in rows:
        for reviewer_id, values in per_reviewer.items():
            if row.nomination_id in values:
                row.scores[reviewer_id] = values[row.nomination_id]
                row.z_scores[reviewer_id] = z_by_reviewer[reviewer_id][row.nomination_id]
                row.criterion_scores[reviewer_id] = dict(
                    by_review[(row.nomination_id, reviewer_id)]
                )
                row.recommendations[reviewer_id] = recommendations[(row.nomination_id, reviewer_id)]
        row.reviews = len(row.scores)
        row.missing_reviewer_ids = sorted(
            expected_by_nomination[row.nomination_id] - set(row.scores)
        )
        if row.scores:
            row.mean = statistics.fmean(row.scores.values())
            row.normalised = statistics.fmean(row.z_scores.values())
        if len(row.scores) >= 2:
            row.spread = max(row.scores.values()) - min(row.scores.values())
            row.disagreement = row.spread >= threshold - 1e-9

    _assign_ranks(rows)
    return Ranking(
        category=category,
        criteria=criteria,
        reviewers=reviewers,
        rows=_sort(rows, sort, descending),
        sort=sort,
        descending=descending,
        scale_min=scale_min,
        scale_max=scale_max,
        disagreement_threshold=threshold,
        hidden_count=len(in_category) - len(nominations),
    )
