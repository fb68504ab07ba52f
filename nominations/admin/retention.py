"""Admin: what a round's retention rules will delete, and when, before it happens."""

from flask import abort, render_template

from nominations.admin import bp
from nominations.models import AwardRound, db
from nominations.storage import human_size
from nominations.timeutil import now
from nominations.workflow.retention import plan


@bp.route("/rounds/<int:round_id>/retention")
def round_retention(round_id: int):
    award_round = db.session.get(AwardRound, round_id) or abort(404)
    return render_template(
        "admin/round_retention.html",
        award_round=award_round,
        plans=plan(award_round),
        now=now(),
        human_size=human_size,
    )
