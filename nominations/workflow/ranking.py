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

The inputs are loaded as plain values in a constant number of queries (``ranking_inputs``)
whatever the size of the category, and every figure is computed over them here. The result is
kept per category stamp, call state and hidden set (``ranking_cache``; the stamp changes with
anything the ranking reads, ``ranking_version``), so a page asked again with nothing changed
costs two small queries: the viewer's hidden set and the stamp.

How sure the ranking is (the ranks by mean and median, and without each reviewer in turn) is
computed from the same rows and kept in the same cache entry (``ranking_uncertainty``).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from nominations.models import AwardCategory, User
from nominations.workflow import ranking_cache, ranking_inputs, review_scope
from nominations.workflow.ranking_inputs import RankingInputs, RubricCriterion, SubmittedReview
from nominations.workflow.ranking_uncertainty import TIE_DECIMALS, Alternatives, alternatives
from nominations.workflow.reviews import weighted_mean

SORT_KEYS: dict[str, str] = {
    "normalised": _l("normalised score"),
    "mean": _l("mean score"),
    "name": _l("name"),
    "reviews": _l("number of reviews"),
}
DEFAULT_DESCENDING = {"normalised": True, "mean": True, "name": False, "reviews": True}
DISAGREEMENT_FRACTION = 1 / 3

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
    # reviewer id -> the review's scores in the order of the ranking's criteria (None: not
    # scored); tuples, not dicts: a cached ranking of 12 000 reviews keeps 12 000 of them.
    criterion_scores: dict[int, tuple[int | None, ...]] = field(default_factory=dict)
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
    criteria: list[RubricCriterion]
    reviewers: list[ReviewerStats]
    rows: list[RankingRow]
    sort: str
    descending: bool
    scale_min: int
    scale_max: int
    disagreement_threshold: float
    hidden_count: int = 0
    # The rankings by mean and median, and without each reviewer (ranking_uncertainty).
    alternatives: Alternatives | None = None

    @property
    def reviewer_names(self) -> dict[int, str]:
        return {r.reviewer_id: r.name for r in self.reviewers}


@dataclass
class _Computed:
    """What the cache keeps: a ranking before it is sorted for the page."""

    criteria: list[RubricCriterion]
    reviewers: list[ReviewerStats]
    rows: list[RankingRow]  # by nominee name
    scale_min: int
    scale_max: int
    disagreement_threshold: float
    hidden_count: int
    alternatives: Alternatives


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


def _computed(inputs: RankingInputs, hidden: frozenset[int]) -> _Computed:
    """Every figure of the ranking from the inputs, the hidden nominations left out first."""
    criteria = inputs.criteria
    weights = [c.weight for c in criteria]
    nominations = [n for n in inputs.nominations if n.id not in hidden]
    expected_by_nomination = {n.id: inputs.owed.get(n.id, set()) for n in nominations}

    # The counted weighted scores, by reviewer and by nomination.
    per_reviewer: dict[int, dict[int, float]] = defaultdict(dict)
    counted: dict[int, list[tuple[int, float, SubmittedReview]]] = defaultdict(list)
    for review in inputs.reviews:
        nomination_id, reviewer_id = review.nomination_id, review.reviewer_id
        if reviewer_id not in expected_by_nomination.get(nomination_id, ()):
            continue  # hidden, not under review, or the reviewer owes it no review
        total = weighted_mean(review.scores, weights)
        if total is not None:
            per_reviewer[reviewer_id][nomination_id] = total
            counted[nomination_id].append((reviewer_id, total, review))
    reviewers: list[ReviewerStats] = []
    z_by_reviewer: dict[int, dict[int, float]] = {}
    for reviewer_id, values in per_reviewer.items():
        z_by_reviewer[reviewer_id], mean, std = zscores(values)
        reviewers.append(
            ReviewerStats(reviewer_id, inputs.reviewer_names[reviewer_id], len(values), mean, std)
        )
    reviewers.sort(key=lambda r: (r.name.casefold(), r.reviewer_id))

    scale_min = min((c.scale_min for c in criteria), default=0)
    scale_max = max((c.scale_max for c in criteria), default=0)
    threshold = DISAGREEMENT_FRACTION * (scale_max - scale_min)
    rows: list[RankingRow] = []
    for nomination in nominations:
        nomination_id = nomination.id
        expected = expected_by_nomination[nomination_id]
        items = counted.get(nomination_id, ())
        scores = {reviewer_id: total for reviewer_id, total, _ in items}
        row = RankingRow(
            nomination_id=nomination_id,
            nominee_name=nomination.nominee_name,
            nominee_email=nomination.nominee_email,
            department=nomination.department,
            status=nomination.status,
            reviews=len(scores),
            expected=len(expected),
            scores=scores,
            z_scores={rid: z_by_reviewer[rid][nomination_id] for rid, _, _ in items},
            criterion_scores={rid: review.scores for rid, _, review in items},
            recommendations={rid: review.recommendation for rid, _, review in items},
            missing_reviewer_ids=sorted(expected - scores.keys()),
        )
        if scores:
            # fsum / n: what statistics.fmean computes, without its checks (1 000 rows).
            row.mean = math.fsum(scores.values()) / len(scores)
            row.normalised = math.fsum(row.z_scores.values()) / len(scores)
        if len(scores) >= 2:
            row.spread = max(scores.values()) - min(scores.values())
            row.disagreement = row.spread >= threshold - 1e-9
        rows.append(row)

    _assign_ranks(rows)
    return _Computed(
        criteria=list(criteria),
        reviewers=reviewers,
        rows=rows,
        scale_min=scale_min,
        scale_max=scale_max,
        disagreement_threshold=threshold,
        hidden_count=len(inputs.nominations) - len(nominations),
        alternatives=alternatives(rows),
    )


def compute_ranking(
    category: AwardCategory,
    *,
    sort: str = "normalised",
    descending: bool | None = None,
    viewer: User | None = None,
) -> Ranking:
    """The category's ranking (rows as dataclasses, shared with other requests: read only).

    ``viewer``: the nominations the viewer has a conflict with are left out *before*
    anything is computed, so every figure (z-scores, means, spreads, reviewer figures, ranks)
    comes from the reviews the viewer may see alone and cannot be solved for a hidden score;
    ``hidden_count`` says how many were left out. Permission is the caller's business
    (``access.can_view_ranking``).

    Served from the process's cache while the category's stamp, its call's state and the
    viewer's hidden set are unchanged (two queries: the hidden set and the stamp); otherwise
    computed from ``ranking_inputs.load`` (five queries more).
    """
    sort = sort if sort in SORT_KEYS else "normalised"
    descending = DEFAULT_DESCENDING[sort] if descending is None else descending
    hidden = frozenset(review_scope.hidden_from(viewer, category.round, category.id))
    computed = ranking_cache.cached(
        category.id,
        hidden,
        lambda: _computed(ranking_inputs.load(category), hidden),
        lambda result: len(result.rows) + sum(len(row.scores) for row in result.rows),
    )
    return Ranking(
        category=category,
        criteria=computed.criteria,
        reviewers=computed.reviewers,
        rows=_sort(computed.rows, sort, descending),
        sort=sort,
        descending=descending,
        scale_min=computed.scale_min,
        scale_max=computed.scale_max,
        disagreement_threshold=computed.disagreement_threshold,
        hidden_count=computed.hidden_count,
        alternatives=computed.alternatives,
    )
