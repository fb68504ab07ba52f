"""The chair's score charts for a category: each nomination's scores per reviewer, and each
reviewer's distribution of scores. Same permission and same data as the ranking page
(``compute_ranking``: a constant number of queries); nominations a viewer has a conflict with are
left out."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from nominations.charts import DotRow, LegendEntry, Mark, dot_rows
from nominations.models import AwardCategory, db
from nominations.policy import authorize
from nominations.review import bp
from nominations.workflow.ranking import compute_ranking
from nominations.workflow.ranking_details import RankingDetails, rank_label, ranking_details


def _scale(details: RankingDetails) -> tuple[float, float, str]:
    ranking = details.ranking
    if ranking.scale_max > ranking.scale_min:
        low, high = ranking.scale_min, ranking.scale_max
    else:  # no rubric: the scale of the scores themselves
        values = [v for row in details.rows for v in row.scores.values()] or [0.0, 1.0]
        low, high = min(values), max(values)
    return (
        low,
        high,
        _("Weighted score (%(low)s–%(high)s)", low=format(low, "g"), high=format(high, "g")),
    )


def nomination_chart(details: RankingDetails) -> Markup:
    """One row per nomination (ranking order), one mark per reviewer's weighted score."""
    names = {r.reviewer_id: r.name for r in details.reviewers}
    keys = details.keys
    rows = []
    for row in details.rows:
        marks = [
            Mark(
                value=score,
                key=keys[reviewer_id],
                label=f"{row.nominee_name}, {names[reviewer_id]}: {score:.2f}",
                data={"nomination": row.nomination_id, "reviewer": reviewer_id},
            )
            for reviewer_id, score in sorted(row.scores.items(), key=lambda item: keys[item[0]])
        ]
        note = (
            _("mean %(mean)s", mean=format(row.mean, ".2f"))
            if row.mean is not None
            else _("no reviews")
        )
        rows.append(
            DotRow(
                label=f"{rank_label(row)} {row.nominee_name}",
                marks=marks,
                mean=row.mean,
                emphasis=row.disagreement,
                note=note,
                data={"nomination": row.nomination_id},
            )
        )
    low, high, axis_label = _scale(details)
    threshold = details.ranking.disagreement_threshold
    return dot_rows(
        _("Each nomination's scores per reviewer"),
        rows,
        chart_id="chart-nominations",
        axis_min=low,
        axis_max=high,
        axis_label=axis_label,
        legend=[LegendEntry(r.name, keys[r.reviewer_id]) for r in details.reviewers],
        description=" ".join(
            (
                ngettext(
                    "%(num)d nomination in rank order, %(scores)d scores from %(reviewers)d "
                    "reviewers.",
                    "%(num)d nominations in rank order, %(scores)d scores from %(reviewers)d "
                    "reviewers.",
                    len(rows),
                    scores=details.score_count,
                    reviewers=len(details.reviewers),
                ),
                _(
                    "Each mark is one reviewer's weighted score (the legend tells the reviewers "
                    "apart by colour and shape); the line runs from the lowest to the highest "
                    "score, drawn thick and orange where the reviewers disagree strongly (a "
                    "spread of %(threshold)s points or more); the short black bar is the mean. "
                    "The same numbers are in the table below the chart.",
                    threshold=format(threshold, ".2f"),
                ),
            )
        ),
    )


def reviewer_chart(details: RankingDetails) -> Markup:
    """One row per reviewer, harshest (lowest mean) first: their scores, quartiles and mean,
    against the mean of every score (dashed line)."""
    rows = []
    distributions = sorted(
        details.distributions, key=lambda d: (d.mean if d.mean is not None else 0, d.name)
    )
    for item in distributions:
        box = None
        if item.count >= 4:
            box = (item.lower_quartile, item.median, item.upper_quartile)
        rows.append(
            DotRow(
                label=item.name,
                marks=[
                    Mark(
                        value=value,
                        key=item.key,
                        label=f"{item.name}, {row.nominee_name}: {value:.2f}",
                        data={"nomination": row.nomination_id, "reviewer": item.reviewer_id},
                    )
                    for row, value in item.scores
                ],
                mean=item.mean,
                box=box,
                note=_("mean %(mean)s", mean=format(item.mean, ".2f"))
                if item.mean is not None
                else "",
                data={"reviewer": item.reviewer_id},
            )
        )
    low, high, axis_label = _scale(details)
    overall = details.overall_mean
    return dot_rows(
        _("Each reviewer's scores"),
        rows,
        chart_id="chart-reviewers",
        axis_min=low,
        axis_max=high,
        axis_label=axis_label,
        reference=overall,
        reference_label=(
            _("Mean of every score: %(mean)s", mean=format(overall, ".2f"))
            if overall is not None
            else ""
        ),
        description=ngettext(
            "%(num)d reviewer, the harshest (lowest mean) at the top and the most lenient at the "
            "bottom. Each mark is one of the reviewer's weighted scores; the box spans the middle "
            "half of their scores (with four scores or more), the line inside it is the median, "
            "and the short black bar is their mean. The dashed line is the mean of every score "
            "shown. The same numbers are in the table below the chart.",
            "%(num)d reviewers, the harshest (lowest mean) at the top and the most lenient at the "
            "bottom. Each mark is one of the reviewer's weighted scores; the box spans the middle "
            "half of their scores (with four scores or more), the line inside it is the median, "
            "and the short black bar is their mean. The dashed line is the mean of every score "
            "shown. The same numbers are in the table below the chart.",
            len(rows),
        ),
    )


@bp.route("/categories/<int:category_id>/charts")
def charts(category_id: int):
    category = db.session.get(AwardCategory, category_id) or abort(404)
    authorize("ranking.view", current_user, category)
    details = ranking_details(compute_ranking(category, viewer=current_user))
    return render_template(
        "review/charts.html",
        category=category,
        award_round=category.round,
        details=details,
        ranking=details.ranking,
        nomination_chart=nomination_chart(details),
        reviewer_chart=reviewer_chart(details),
        rank_label=rank_label,
    )
