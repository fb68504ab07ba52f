"""How sure a category's ranking is: the rank of each nomination under the mean, the median
and the normalised score, the range of its ranks when any one reviewer is left out, and
whether the prize boundary (the last prize versus the first not awarded) holds under all of
these.

**Input: the ranking's own rows, nothing else.** Every figure here is computed from the
weighted scores and z-scores of ``ranking.RankingRow``, which ``ranking.compute_ranking`` has
already built without the nominations the viewer has a conflict with. No second query, no
second rule: what the ranking leaves out for a viewer, this leaves out too, so no figure here
can be solved for a score he may not see.

**Leaving one reviewer out** recomputes the ranking without that reviewer's reviews,
normalisation included. A reviewer's z-scores are computed over that reviewer's own scores
only, so taking reviewer B away changes no other reviewer's z-scores: the normalised score of
a nomination without B is the mean of its other z-scores, (sum - z_B) / (n - 1). That is
O(reviewers x nominations) plus one sort per reviewer (about 10 ms for 1 000 nominations and
12 reviewers), done once per cached ranking (``ranking_cache``, the ranking's own key).
A nomination whose only review was B's has no rank without B.

**The boundary** (per request, as it depends on the category's number of prizes k): the
nominations ranked k or better by normalised score are "within the prizes". An alternative
(mean, median, or one reviewer left out) *moves the boundary* when its set of nominations
ranked k or better differs. Ranks are competition ranks (1, 2, 2, 4), equal to 6 decimals a tie,
as in the ranking.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING

from flask_babel import gettext as _

if TYPE_CHECKING:  # ranking.py imports this module
    from nominations.workflow.ranking import Ranking, RankingRow

TIE_DECIMALS = 6
METHODS = ("normalised", "mean", "median")


def _ranks_of_rounded(values: dict[int, float]) -> dict[int, int]:
    ranks: dict[int, int] = {}
    previous, rank = None, 0
    ordered = sorted(values.items(), key=itemgetter(1), reverse=True)
    for position, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[key] = rank
    return ranks


def competition_ranks(values: dict[int, float]) -> dict[int, int]:
    """Ranks, highest value first (1, 2, 2, 4); values equal to TIE_DECIMALS decimals tie."""
    return _ranks_of_rounded({key: round(value, TIE_DECIMALS) for key, value in values.items()})


@dataclass
class Alternatives:
    """The rankings a category's ranking is compared with; kept in the ranking cache."""

    by_method: dict[str, dict[int, int]]  # method -> nomination id -> rank
    medians: dict[int, float]  # nomination id -> median weighted score
    # reviewer id -> nomination id -> rank by normalised score without that reviewer's reviews
    without: dict[int, dict[int, int]]
    # nomination id -> (best, worst) rank by normalised score, with everyone and without each
    # one reviewer in turn
    rank_range: dict[int, tuple[int, int]] = field(default_factory=dict)
    # nomination id -> the page's three cells (rank by mean, by median, range without one
    # reviewer) as text, made once per cached ranking rather than once per page
    cells: dict[int, tuple[str, str, str]] = field(default_factory=dict)


def alternatives(rows: Iterable[RankingRow]) -> Alternatives:
    ranked = [row for row in rows if row.normalised is not None]
    normalised = {row.nomination_id: row.rank for row in ranked}
    means = {row.nomination_id: row.mean for row in ranked}
    medians = {row.nomination_id: statistics.median(row.scores.values()) for row in ranked}
    # Without reviewer B: every nomination keeps its normalised score but those B reviewed,
    # which become the mean of their other z-scores (values rounded once, as ties are).
    base = {row.nomination_id: round(row.normalised, TIE_DECIMALS) for row in ranked}
    reviewers = sorted({rid for row in ranked for rid in row.z_scores})
    values_without = {reviewer_id: dict(base) for reviewer_id in reviewers}
    for row in ranked:
        nomination_id, z_scores = row.nomination_id, row.z_scores
        others = len(z_scores) - 1
        if not others:  # B's was its only review: no rank without B
            for reviewer_id in z_scores:
                del values_without[reviewer_id][nomination_id]
            continue
        total = math.fsum(z_scores.values())
        for reviewer_id, own in z_scores.items():
            values_without[reviewer_id][nomination_id] = round((total - own) / others, TIE_DECIMALS)
    without = {rid: _ranks_of_rounded(values) for rid, values in values_without.items()}
    lowest, highest = dict(normalised), dict(normalised)
    for ranks in without.values():
        for nomination_id, rank in ranks.items():
            if rank < lowest[nomination_id]:
                lowest[nomination_id] = rank
            elif rank > highest[nomination_id]:
                highest[nomination_id] = rank
    mean_ranks, median_ranks = competition_ranks(means), competition_ranks(medians)
    cells = {
        n: (
            str(mean_ranks[n]),
            str(median_ranks[n]),
            str(lowest[n]) if lowest[n] == highest[n] else f"{lowest[n]}–{highest[n]}",
        )
        for n in normalised
    }
    return Alternatives(
        by_method={"normalised": normalised, "mean": mean_ranks, "median": median_ranks},
        medians=medians,
        without=without,
        rank_range={n: (lowest[n], highest[n]) for n in normalised},
        cells=cells,
    )


# --------------------------------------------------------------------------------------------
# The prize boundary, in plain words


@dataclass
class Finding:
    """One alternative under which other nominations are within the prizes."""

    method: str  # "mean", "median" or "without"
    reviewer_id: int | None
    gained: list[int]  # within the prizes only under the alternative, best first
    lost: list[int]  # within the prizes only by normalised score, worst (under it) last


@dataclass
class Certainty:
    prize_count: int
    ranked: int
    has_boundary: bool
    findings: list[Finding]
    moved: set[int]  # nominations inside under some alternatives and outside under others
    summary: str
    sentences: list[str]

    @property
    def robust(self) -> bool:
        return not self.findings


def _within(ranks: dict[int, int], prize_count: int) -> set[int]:
    return {nomination_id for nomination_id, rank in ranks.items() if rank <= prize_count}


def _finding(
    method: str, reviewer_id: int | None, ranks: dict[int, int], base: set[int], k: int
) -> Finding | None:
    inside = _within(ranks, k)
    if inside == base:
        return None
    big = len(ranks) + 1  # a nomination without a rank under the alternative sorts last
    gained = sorted(inside - base, key=lambda n: ranks.get(n, big))
    lost = sorted(base - inside, key=lambda n: ranks.get(n, big))
    return Finding(method, reviewer_id, gained, lost)


def _sentence(finding: Finding, names: dict[int, str], reviewers: dict[int, str]) -> str:
    above = names[finding.gained[0]] if finding.gained else None
    below = names[finding.lost[-1]] if finding.lost else None
    if finding.method == "without":
        reviewer = reviewers.get(finding.reviewer_id or 0) or _("one reviewer")
        if above and below:
            return _(
                "Without the scores of %(reviewer)s, %(above)s would rank above %(below)s.",
                reviewer=reviewer,
                above=above,
                below=below,
            )
        if below:
            return _(
                "Without the scores of %(reviewer)s, %(below)s would no longer be within the "
                "prizes.",
                reviewer=reviewer,
                below=below,
            )
        return _(
            "Without the scores of %(reviewer)s, %(above)s would share a place within the prizes.",
            reviewer=reviewer,
            above=above,
        )
    if finding.method == "mean":
        if above and below:
            return _(
                "Ranked by mean score, %(above)s would rank above %(below)s.",
                above=above,
                below=below,
            )
        if below:
            return _(
                "Ranked by mean score, %(below)s would no longer be within the prizes.", below=below
            )
        return _(
            "Ranked by mean score, %(above)s would share a place within the prizes.", above=above
        )
    if above and below:
        return _(
            "Ranked by median score, %(above)s would rank above %(below)s.",
            above=above,
            below=below,
        )
    if below:
        return _(
            "Ranked by median score, %(below)s would no longer be within the prizes.", below=below
        )
    return _(
        "Ranked by median score, %(above)s would share a place within the prizes.", above=above
    )


def certainty(ranking: Ranking, *, name_reviewers: bool = True) -> Certainty:
    """The prize boundary of ``ranking`` under every alternative, with the words for it.

    ``name_reviewers``: False says "one reviewer" instead of a reviewer's name (for a reader
    who may not know who reviewed; the ranking's readers may, and see the names already).
    """
    found = ranking.alternatives
    k = ranking.category.prize_count
    base_ranks = found.by_method["normalised"]
    base = _within(base_ranks, k)
    has_boundary = len(base_ranks) > len(base)
    findings: list[Finding] = []
    if has_boundary:
        for method in ("mean", "median"):
            finding = _finding(method, None, found.by_method[method], base, k)
            if finding:
                findings.append(finding)
        names_by_id = ranking.reviewer_names
        for reviewer_id in sorted(found.without, key=lambda r: names_by_id.get(r, "").casefold()):
            finding = _finding("without", reviewer_id, found.without[reviewer_id], base, k)
            if finding:
                findings.append(finding)
    moved = {n for f in findings for n in (*f.gained, *f.lost)}
    names = {row.nomination_id: row.nominee_name for row in ranking.rows}
    reviewers = ranking.reviewer_names if name_reviewers else {}
    if not has_boundary:
        summary = _(
            "There is no prize boundary to test: no more nominations are ranked than there "
            "are prizes."
        )
    elif findings:
        summary = _(
            "The boundary between place %(last)d (awarded) and place %(next)d is not robust.",
            last=k,
            next=k + 1,
        )
    else:
        summary = _(
            "The boundary between place %(last)d (awarded) and place %(next)d is robust: the "
            "same nominations are within the prizes by mean, median and normalised score, and "
            "when any one reviewer's scores are left out.",
            last=k,
            next=k + 1,
        )
    return Certainty(
        prize_count=k,
        ranked=len(base_ranks),
        has_boundary=has_boundary,
        findings=findings,
        moved=moved,
        summary=summary,
        sentences=[_sentence(f, names, reviewers) for f in findings],
    )
