"""The chair's view of a category's ranking and of the round's review progress (reads
only; the figures leave out what the viewer has a conflict with)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from nominations.models import AwardCategory, AwardRound, db
from nominations.policy import authorize
from nominations.review import bp
from nominations.workflow import access
from nominations.workflow.progress import round_progress
from nominations.workflow.ranking import METHOD_TEXT, SORT_KEYS, compute_ranking
from nominations.workflow.ranking_uncertainty import certainty


@bp.route("/categories/<int:category_id>/ranking")
def ranking(category_id: int):
    category = db.get_or_404(AwardCategory, category_id)
    authorize("ranking.view", current_user, category)
    sort = request.args.get("sort", "normalised")
    direction = request.args.get("dir")
    descending = None if direction not in ("asc", "desc") else direction == "desc"
    result = compute_ranking(category, sort=sort, descending=descending, viewer=current_user)
    return render_template(
        "review/ranking.html",
        category=category,
        award_round=category.round,
        ranking=result,
        certainty=certainty(result),
        sort_keys=SORT_KEYS,
        method=METHOD_TEXT,
    )


@bp.route("/rounds/<int:round_id>/progress")
def progress(round_id: int):
    award_round = db.get_or_404(AwardRound, round_id)
    authorize("progress.view", current_user, award_round)
    progress = round_progress(
        award_round, access.overseen_categories(current_user, award_round), viewer=current_user
    )
    return render_template("review/progress.html", award_round=award_round, progress=progress)
