"""Co-authorship proposals: the chair of the panel covering the category (or an admin) sees
the round's proposals and accepts (a conflict of interest) or dismisses each, with a reason."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from nominations.forms import refuse
from nominations.models import AwardRound, Nomination, RoundStatus, User, db
from nominations.policy import authorize
from nominations.review import bp
from nominations.workflow import WorkflowError
from nominations.workflow.conflicts import MAX_REASON
from nominations.workflow.publications.matching import decide, proposals_shown_to


class CoauthorForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason (it is kept in the audit log).")),
            Length(max=MAX_REASON),
        ],
    )
    accept = SubmitField(_l("Accept: a conflict of interest"))
    dismiss = SubmitField(_l("Dismiss: not a conflict"))


@bp.route("/rounds/<int:round_id>/coauthors")
def coauthors(round_id: int):
    award_round = db.get_or_404(AwardRound, round_id)
    authorize("coauthor.view", current_user, award_round)
    return _page(award_round)


def _page(award_round: AwardRound, refused=None, status: int = 200):
    """The round's open proposals; ``refused``: ((nomination id, reviewer id), its form sent
    with errors), the errors shown at that proposal."""
    return (
        render_template(
            "review/coauthors.html",
            award_round=award_round,
            proposals=proposals_shown_to(current_user, award_round),
            years=award_round.coauthor_years,
            form=CoauthorForm(formdata=None),
            refused=refused or (None, None),
            editable=award_round.status != RoundStatus.PUBLISHED,
        ),
        status,
    )


@bp.route("/coauthors/<int:nomination_id>/<int:reviewer_id>", methods=["POST"])
def decide_coauthor(nomination_id: int, reviewer_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    reviewer = db.get_or_404(User, reviewer_id)
    award_round = nomination.category.round
    authorize("coauthor.decide", current_user, nomination.category)
    form = CoauthorForm()
    if not form.validate_on_submit():
        return _page(award_round, ((nomination.id, reviewer.id), form), 400)
    accept = bool(form.accept.data)
    try:
        decide(nomination, reviewer, accept=accept, reason=form.reason.data, actor=current_user)
    except WorkflowError as error:  # PermissionDenied included
        refuse(error)
    else:
        names = {"reviewer": reviewer.name, "nominee": nomination.nominee_name}
        if accept:
            flash(
                _(
                    "Conflict of interest recorded: %(reviewer)s no longer sees the nomination "
                    "of %(nominee)s.",
                    **names,
                ),
                "success",
            )
        else:
            flash(
                _(
                    "Dismissed: %(reviewer)s and %(nominee)s are not proposed again.",
                    **names,
                ),
                "success",
            )
    return redirect(url_for("review.coauthors", round_id=award_round.id))
