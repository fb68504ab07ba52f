"""A ranking in detail, as its viewer may see it: every reviewer's weighted score on each
nomination shown, and each reviewer's distribution of scores (harsh or lenient).

Derived from :func:`nominations.workflow.ranking.compute_ranking` without a further query.
Nominations the viewer has a conflict with are not in the ranking at all (``compute_ranking``
leaves them out before computing), so every figure here comes from reviews the viewer may see.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from nominations.workflow.ranking import Ranking, RankingRow, ReviewerStats


def rank_label(row: RankingRow) -> str:
    """The rank as the page writes it: ``1``, ``=2`` for a tie, ``—`` when unranked."""
    if row.rank is None:
        return "—"
    return f"{'=' if row.tied else ''}{row.rank}"


@dataclass
class ReviewerDistribution:
    reviewer_id: int
    name: str
    # The reviewer's position among the ranking's reviewers: the same mark in every chart.
    key: int
    # (row, weighted score) for each nomination shown that the reviewer scored, in page order.
    scores: list[tuple[RankingRow, float]] = field(default_factory=list)
    mean: float | None = None
    minimum: float | None = None
    lower_quartile: float | None = None
    median: float | None = None
    upper_quartile: float | None = None
    maximum: float | None = None
    # The mean of (own score - the other reviewers' mean) over the nominations scored by at
    # least one other reviewer too: below 0 harsher than the others, above 0 more lenient.
    offset: float | None = None
    compared: int = 0

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def values(self) -> list[float]:
        return [value for _, value in self.scores]


@dataclass
class RankingDetails:
    ranking: Ranking
    rows: list[RankingRow]  # the rows shown, in the ranking's order
    reviewers: list[ReviewerStats]  # those with a score on a shown row, by name
    distributions: list[ReviewerDistribution]  # same order as ``reviewers``
    overall_mean: float | None  # the mean of every weighted score shown

    @property
    def score_count(self) -> int:
        return sum(len(row.scores) for row in self.rows)

    @property
    def keys(self) -> dict[int, int]:
        return {d.reviewer_id: d.key for d in self.distributions}


def _distribution(stats: ReviewerStats, key: int, rows: list[RankingRow]) -> ReviewerDistribution:
    result = ReviewerDistribution(stats.reviewer_id, stats.name, key)
    differences = []
    for row in rows:
        own = row.scores.get(stats.reviewer_id)
        if own is None:
            continue
        result.scores.append((row, own))
        others = [v for rid, v in row.scores.items() if rid != stats.reviewer_id]
        if others:
            differences.append(own - statistics.fmean(others))
    values = result.values
    if values:
        result.mean = statistics.fmean(values)
        result.minimum, result.maximum = min(values), max(values)
        result.median = statistics.median(values)
        if len(values) >= 2:
            lower, _, upper = statistics.quantiles(values, n=4, method="inclusive")
            result.lower_quartile, result.upper_quartile = lower, upper
    if differences:
        result.offset = statistics.fmean(differences)
        result.compared = len(differences)
    return result


def ranking_details(ranking: Ranking) -> RankingDetails:
    rows = list(ranking.rows)
    scored = {rid for row in rows for rid in row.scores}
    reviewers = [r for r in ranking.reviewers if r.reviewer_id in scored]
    distributions = [_distribution(r, key, rows) for key, r in enumerate(reviewers)]
    every_score = [value for row in rows for value in row.scores.values()]
    return RankingDetails(
        ranking=ranking,
        rows=rows,
        reviewers=reviewers,
        distributions=distributions,
        overall_mean=statistics.fmean(every_score) if every_score else None,
    )
