"""The ranking of a category as a workbook, laid out like the ranking page.

Sheets:

- **Ranking**: one row per nomination shown, in the page's order: rank, nominee, department,
  reviews, expected and missing reviews, mean weighted score, normalised score, spread, the
  disagreement flag, then one column per reviewer with that reviewer's weighted score. Ranks
  are numbers; a shared rank is displayed ``=1`` (a number format), so the column still sorts.
- **Scores by criterion**: one row per counted review: each criterion's score, the weighted
  score and the recommendation.
- **Method**: how the numbers are computed (``ranking.METHOD_TEXT`` and the rest of the
  page's explanation), and what the file leaves out.

Numbers are stored unrounded with a display format (2 decimals, 3 for the normalised score,
as on the page). Every text goes through ``spreadsheets.neutralise``.
"""

from __future__ import annotations

from datetime import datetime

from nominations.exports.spreadsheets import Sheet, SheetCell, Styled, to_workbook
from nominations.workflow.ranking import METHOD_TEXT, SORT_KEYS
from nominations.workflow.ranking_details import RankingDetails
from nominations.workflow.reviews import RECOMMENDATION_LABELS

RANKING_COLUMNS = (
    "Rank",
    "Nominee",
    "Department",
    "Reviews",
    "Expected reviews",
    "Missing reviews",
    "Mean weighted score",
    "Normalised score",
    "Spread",
    "Strong disagreement",
)
TIED_RANK = '"="0'
SCORE = "0.00"
NORMALISED = "+0.000;-0.000;0.000"


def _rank(row) -> SheetCell:
    if row.rank is None:
        return None
    return Styled(row.rank, TIED_RANK) if row.tied else row.rank


def ranking_sheet(details: RankingDetails) -> Sheet:
    reviewer_ids = [r.reviewer_id for r in details.reviewers]
    rows = [
        [
            _rank(row),
            row.nominee_name,
            row.department,
            row.reviews,
            row.expected,
            row.missing,
            row.mean,
            row.normalised,
            row.spread,
            "yes" if row.disagreement else "",
            *(row.scores.get(reviewer_id) for reviewer_id in reviewer_ids),
        ]
        for row in details.rows
    ]
    first_reviewer = len(RANKING_COLUMNS)
    formats = {6: SCORE, 7: NORMALISED, 8: SCORE} | {
        first_reviewer + index: SCORE for index in range(len(reviewer_ids))
    }
    columns = [*RANKING_COLUMNS, *(r.name for r in details.reviewers)]
    return Sheet("Ranking", columns, rows, formats)


def criterion_label(criterion) -> str:
    return (
        f"{criterion.name} ({criterion.scale_min}-{criterion.scale_max}, "
        f"weight {criterion.weight:g})"
    )


def criteria_sheet(details: RankingDetails) -> Sheet:
    criteria = details.ranking.criteria
    rows = []
    for row in details.rows:
        for reviewer in details.reviewers:
            score = row.scores.get(reviewer.reviewer_id)
            if score is None:
                continue
            by_criterion = row.criterion_scores.get(reviewer.reviewer_id, {})
            recommendation = row.recommendations.get(reviewer.reviewer_id)
            rows.append(
                [
                    _rank(row),
                    row.nominee_name,
                    reviewer.name,
                    *(by_criterion.get(c.id) for c in criteria),
                    score,
                    RECOMMENDATION_LABELS.get(recommendation or "", recommendation or ""),
                ]
            )
    columns = [
        "Rank",
        "Nominee",
        "Reviewer",
        *(criterion_label(c) for c in criteria),
        "Weighted score",
        "Recommendation",
    ]
    return Sheet("Scores by criterion", columns, rows, {3 + len(criteria): SCORE})


def method_sheet(details: RankingDetails, exported_at: datetime) -> Sheet:
    ranking = details.ranking
    category = ranking.category
    order = "descending" if ranking.descending else "ascending"
    rows: list[list[SheetCell]] = [
        ["Round", category.round.title],
        ["Category", category.name],
        ["Exported", exported_at],
        ["Order", f"By {SORT_KEYS[ranking.sort]}, {order}, as on the ranking page."],
        ["Normalised score", METHOD_TEXT],
        [
            "Weighted score",
            "The sum of weight × score divided by the sum of the weights over the criteria, "
            f"on the {ranking.scale_min}-{ranking.scale_max} scale.",
        ],
        ["Mean weighted score", "The mean of the nomination's weighted scores."],
        ["Spread", "The highest minus the lowest weighted score (with two reviews or more)."],
        [
            "Strong disagreement",
            f"A spread of {ranking.disagreement_threshold:.2f} points or more (a third of the "
            "scale).",
        ],
        [
            "Expected and missing reviews",
            "Expected: the reviewers on panels covering the category, minus those with a "
            "conflict of interest with the nomination. Missing: expected reviews not "
            "submitted. Drafts and the reviews of reviewers with a conflict do not count.",
        ],
        [
            "Rank",
            "By normalised score, highest first; equal normalised scores share a rank, shown "
            "as =1. Nominations without reviews are not ranked.",
        ],
        [
            "Reviewer columns",
            "Each reviewer's weighted score; empty where the reviewer has no submitted review "
            "that counts. The sheet 'Scores by criterion' has each review's scores per "
            "criterion and its recommendation.",
        ],
    ]
    if ranking.hidden_count:
        plural = "s" if ranking.hidden_count != 1 else ""
        rows.append(
            [
                "Left out",
                f"{ranking.hidden_count} nomination{plural} with which you have a conflict of "
                "interest: not in this file, and every figure in it (means, normalised scores, "
                "spreads, ranks) is computed without them.",
            ]
        )
    return Sheet("Method", ["About", "Explanation"], rows, wrap=True)


def ranking_workbook(details: RankingDetails, *, exported_at: datetime) -> bytes:
    """The XLSX file: Ranking, Scores by criterion, Method (``exported_at``: local, naive)."""
    return to_workbook(
        [ranking_sheet(details), criteria_sheet(details), method_sheet(details, exported_at)]
    )
