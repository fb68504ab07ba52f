"""Conflicts of interest on the review pages: a reviewer declares one; the chair (or an
admin) sees the round's conflicts and clears one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nominations.confirming import Question, ask_first, asks, confirmation
from nominations.forms import refuse
from nominations.models import AwardRound, ConflictOfInterest, Nomination, RoundStatus, db
from nominations.policy import authorize
from nominations.review import bp
from nominations.review.forms import ClearConflictForm, ConflictForm
from nominations.workflow import NotFound, WorkflowError, access
from nominations.workflow.calls import CLOCK_STATUSES
from nominations.workflow.conflicts import (
    AUTOMATIC_REASONS,
    clear_conflict,
    conflicts_shown_to,
    declare_conflict,
)


@asks("review.declare")
def _declaring(nomination: Nomination) -> Question:
    return Question(
        _(
            "Declare a conflict of interest with the nomination of %(nominee)s?",
            nominee=nomination.nominee_name,
        ),
        _(
            "The nomination is no longer shown to you and you are left out of its ranking. "
            "A declaration cannot be withdrawn."
        ),
        _("Declare the conflict of interest"),
        url_for("review.nomination", nomination_id=nomination.id),
    )


@bp.route("/nominations/<int:nomination_id>/conflict", methods=["GET", "POST"])
def declare(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    authorize("conflict.declare", current_user, nomination)
    form = ConflictForm()
    form.submit.render_kw = {"data-confirm": confirmation("review.declare", nomination)}
    if form.validate_on_submit():
        try:
            declare_conflict(
                nomination, kind=form.kind.data, reason=form.reason.data, actor=current_user
            )
        except NotFound:
            abort(404)
        except WorkflowError as error:
            refuse(error, form)
        else:
            if (page := ask_first(nomination)) is not None:
                return page
            flash(
                _(
                    "Conflict of interest with %(nominee)s declared: the nomination is no "
                    "longer shown to you and you are left out of its ranking.",
                    nominee=nomination.nominee_name,
                ),
                "success",
            )
            return redirect(url_for("review.category", category_id=nomination.category_id))
    return render_template("review/conflict.html", nomination=nomination, form=form)


@bp.route("/rounds/<int:round_id>/conflicts")
def conflicts(round_id: int):
    award_round = db.get_or_404(AwardRound, round_id)
    authorize("progress.view", current_user, award_round)
    return _conflicts_page(award_round)


def _conflicts_page(award_round: AwardRound, refused=None):
    """The round's conflicts; ``refused``: (conflict id, its clearing form sent with errors),
    the errors shown at that row's field."""
    rows, left_out = conflicts_shown_to(
        current_user, award_round, access.overseen_categories(current_user, award_round)
    )
    return render_template(
        "review/conflicts.html",
        award_round=award_round,
        conflicts=rows,
        left_out=left_out,
        close_pending=award_round.status in CLOCK_STATUSES,
        form=ClearConflictForm(formdata=None),
        refused=refused or (None, None),
        automatic_reasons=AUTOMATIC_REASONS,
        editable=award_round.status != RoundStatus.PUBLISHED,
    )


@bp.route("/conflicts/<int:conflict_id>/clear", methods=["POST"])
def clear(conflict_id: int):
    conflict = db.get_or_404(ConflictOfInterest, conflict_id)
    award_round = conflict.nomination.category.round
    authorize("conflict.clear", current_user, conflict)
    form = ClearConflictForm()
    if not form.validate_on_submit():
        return _conflicts_page(award_round, (conflict.id, form))
    try:
        clear_conflict(conflict, reason=form.reason.data, actor=current_user)
    except WorkflowError as error:  # PermissionDenied included
        refuse(error)
    else:
        flash(
            _(
                "Conflict of %(reviewer)s with %(nominee)s cleared.",
                reviewer=conflict.reviewer.name,
                nominee=conflict.nomination.nominee_name,
            ),
            "success",
        )
    return redirect(url_for("review.conflicts", round_id=award_round.id))
