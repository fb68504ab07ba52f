"""The ranking of a category as a workbook, laid out like the ranking page.

Sheets:

- **Ranking**: one row per nomination shown, in the page's order: rank, nominee, department,
  reviews, expected and missing reviews, mean weighted score, normalised score, spread, the
  disagreement flag, the boundary flag, the ranks by mean and by median score and the best and
  worst rank with one reviewer left out (``ranking_uncertainty``), then one column per
  reviewer with that reviewer's weighted score. Ranks are numbers; a shared rank is displayed
  ``=1`` (a number format), so the column still sorts.
- **Scores by criterion**: one row per counted review: each criterion's score, the weighted
  score and the recommendation.
- **Method**: how the numbers are computed (``ranking.METHOD_TEXT`` and the rest of the
  page's explanation), and what the file leaves out.

Numbers are stored unrounded with a display format (2 decimals, 3 for the normalised score,
as on the page). Every text goes through ``spreadsheets.neutralise``.
"""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from nominations.exports.spreadsheets import Sheet, SheetCell, Styled, to_workbook
from nominations.languages import formatting_locale, localized
from nominations.workflow.ranking import METHOD_TEXT, SORT_KEYS
from nominations.workflow.ranking_details import RankingDetails
from nominations.workflow.ranking_uncertainty import certainty
from nominations.workflow.reviews import RECOMMENDATION_LABELS

# Headings and sheet names in the reader's language (lazy, made text where written).
RANKING_COLUMNS = (
    _l("Rank"),
    _l("Nominee"),
    _l("Department"),
    _l("Reviews"),
    _l("Expected reviews"),
    _l("Missing reviews"),
    _l("Mean weighted score"),
    _l("Normalised score"),
    _l("Spread"),
    _l("Strong disagreement"),
    _l("Prize boundary not robust"),
    _l("Rank by mean"),
    _l("Rank by median"),
    _l("Best rank without one reviewer"),
    _l("Worst rank without one reviewer"),
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
    found = details.ranking.alternatives
    mean_ranks, median_ranks = found.by_method["mean"], found.by_method["median"]
    no_range = (None, None)
    moved = certainty(details.ranking).moved
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
            _("yes") if row.disagreement else "",
            _("yes") if row.nomination_id in moved else "",
            mean_ranks.get(row.nomination_id),
            median_ranks.get(row.nomination_id),
            *found.rank_range.get(row.nomination_id, no_range),
            *(row.scores.get(reviewer_id) for reviewer_id in reviewer_ids),
        ]
        for row in details.rows
    ]
    first_reviewer = len(RANKING_COLUMNS)
    formats = {6: SCORE, 7: NORMALISED, 8: SCORE} | {
        first_reviewer + index: SCORE for index in range(len(reviewer_ids))
    }
    columns = [*(str(c) for c in RANKING_COLUMNS), *(r.name for r in details.reviewers)]
    return Sheet(_("Ranking"), columns, rows, formats)


def criterion_label(criterion) -> str:
    return _(
        "%(criterion)s (%(low)d-%(high)d, weight %(weight)s)",
        criterion=localized(criterion, "name"),
        low=criterion.scale_min,
        high=criterion.scale_max,
        weight=format_decimal(criterion.weight, locale=formatting_locale()),
    )


def criteria_sheet(details: RankingDetails) -> Sheet:
    criteria = details.ranking.criteria
    rows = []
    for row in details.rows:
        for reviewer in details.reviewers:
            score = row.scores.get(reviewer.reviewer_id)
            if score is None:
                continue
            by_criterion = row.criterion_scores.get(reviewer.reviewer_id) or (None,) * len(criteria)
            recommendation = row.recommendations.get(reviewer.reviewer_id)
            rows.append(
                [
                    _rank(row),
                    row.nominee_name,
                    reviewer.name,
                    *by_criterion,  # in the order of the criteria
                    score,
                    str(RECOMMENDATION_LABELS.get(recommendation or "", recommendation or "")),
                ]
            )
    columns = [
        _("Rank"),
        _("Nominee"),
        _("Reviewer"),
        *(criterion_label(c) for c in criteria),
        _("Weighted score"),
        _("Recommendation"),
    ]
    return Sheet(_("Scores by criterion"), columns, rows, {3 + len(criteria): SCORE})


def method_sheet(details: RankingDetails, exported_at: datetime) -> Sheet:
    ranking = details.ranking
    category = ranking.category
    if ranking.descending:
        order = _("By %(key)s, descending, as on the ranking page.", key=SORT_KEYS[ranking.sort])
    else:
        order = _("By %(key)s, ascending, as on the ranking page.", key=SORT_KEYS[ranking.sort])
    rows: list[list[SheetCell]] = [
        [_("Round"), category.round.title],
        [_("Category"), localized(category, "name")],
        [_("Exported"), exported_at],
        [_("Order"), order],
        [_("Normalised score"), str(METHOD_TEXT)],
        [
            _("Weighted score"),
            _(
                "The sum of weight × score divided by the sum of the weights over the criteria, "
                "on the %(low)d-%(high)d scale.",
                low=ranking.scale_min,
                high=ranking.scale_max,
            ),
        ],
        [_("Mean weighted score"), _("The mean of the nomination's weighted scores.")],
        [
            _("Spread"),
            _("The highest minus the lowest weighted score (with two reviews or more)."),
        ],
        [
            _("Strong disagreement"),
            _(
                "A spread of %(threshold)s points or more (a third of the scale).",
                threshold=format_decimal(
                    ranking.disagreement_threshold, "0.00", locale=formatting_locale()
                ),
            ),
        ],
        [
            _("Expected and missing reviews"),
            _(
                "Expected: the reviewers on panels covering the category, minus those with a "
                "conflict of interest with the nomination. Missing: expected reviews not "
                "submitted. Drafts and the reviews of reviewers with a conflict do not count."
            ),
        ],
        [
            _("Rank"),
            _(
                "By normalised score, highest first; equal normalised scores share a rank, "
                "shown as =1. Nominations without reviews are not ranked."
            ),
        ],
        [
            _("Prize boundary not robust"),
            _(
                "Within the prizes by normalised score but not by mean or median score or "
                "without one reviewer's scores, or the other way round: the ranking page says "
                "why."
            ),
        ],
        [
            _("Rank by mean, by median"),
            _(
                "The rank the nomination would have if ranked by its mean, or by its median, "
                "weighted score instead of its normalised score."
            ),
        ],
        [
            _("Rank without one reviewer"),
            _(
                "The best and the worst rank by normalised score when each reviewer's reviews "
                "are left out in turn (the other reviewers' z-scores do not change)."
            ),
        ],
        [
            _("Reviewer columns"),
            _(
                "Each reviewer's weighted score; empty where the reviewer has no submitted "
                "review that counts. The sheet '%(sheet)s' has each review's scores per "
                "criterion and its recommendation.",
                sheet=_("Scores by criterion"),
            ),
        ],
    ]
    if ranking.hidden_count:
        rows.append(
            [
                _("Left out"),
                ngettext(
                    "%(num)d nomination with which you have a conflict of interest: not in "
                    "this file, and every figure in it (means, normalised scores, spreads, "
                    "ranks) is computed without it.",
                    "%(num)d nominations with which you have a conflict of interest: not in "
                    "this file, and every figure in it (means, normalised scores, spreads, "
                    "ranks) is computed without them.",
                    ranking.hidden_count,
                ),
            ]
        )
    return Sheet(_("Method"), [_("About"), _("Explanation")], rows, wrap=True)


def ranking_workbook(details: RankingDetails, *, exported_at: datetime) -> bytes:
    """The XLSX file: Ranking, Scores by criterion, Method (``exported_at``: local, naive)."""
    return to_workbook(
        [ranking_sheet(details), criteria_sheet(details), method_sheet(details, exported_at)]
    )
