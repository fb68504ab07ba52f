"""Admin: publishing a round's results and opening next year's round from it."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from nominations.admin import bp
from nominations.confirming import Question, ask_first, asks
from nominations.forms import refuse
from nominations.models import AwardRound, Decision, db
from nominations.workflow import WorkflowError
from nominations.workflow.cloning import existing_next_year, open_next_year
from nominations.workflow.results import publish_round, round_winners


@bp.app_template_global("results_preview")
def results_preview(award_round: AwardRound) -> list[Decision]:
    """The winners the round would publish (for the admin round page only)."""
    return round_winners(award_round, published_only=False)


@bp.app_template_global("next_year_round")
def next_year_round(award_round: AwardRound) -> AwardRound | None:
    return existing_next_year(award_round)


def _get_round(round_id: int) -> AwardRound:
    return db.session.get(AwardRound, round_id) or abort(404)


@asks("admin.publish_results")
def _publishing(award_round: AwardRound) -> Question:
    return Question(
        _("Publish the results of %(title)s?", title=award_round.title),
        _(
            "The winners become public and nominators and nominees are told by e-mail. "
            "This cannot be undone."
        ),
        _("Publish results"),
        url_for("admin.round_detail", round_id=award_round.id),
    )


@bp.post("/rounds/<int:round_id>/publish")
def publish_results(round_id: int):
    award_round = _get_round(round_id)
    try:
        queued = publish_round(award_round, actor=current_user)
    except WorkflowError as error:
        refuse(error)
    else:
        if (page := ask_first(award_round)) is not None:
            return page
        flash(
            ngettext(
                "The results of %(title)s are published. "
                "%(num)d nominator or nominee will be told by e-mail.",
                "The results of %(title)s are published. "
                "%(num)d nominators and nominees will be told by e-mail.",
                queued,
                title=award_round.title,
            ),
            "success",
        )
    return redirect(url_for("admin.round_detail", round_id=round_id))


@asks("admin.clone_round")
def _cloning(award_round: AwardRound) -> Question:
    return Question(
        _("Open next year's round from %(title)s?", title=award_round.title),
        _(
            "Categories, criteria, panel and reminders are copied and every date moves one year "
            "on; it starts as a draft."
        ),
        _("Open next year's round"),
        url_for("admin.round_detail", round_id=award_round.id),
    )


@bp.post("/rounds/<int:round_id>/next-year")
def clone_round(round_id: int):
    award_round = _get_round(round_id)
    try:
        new_round = open_next_year(award_round, actor=current_user)
    except WorkflowError as error:
        refuse(error)
        return redirect(url_for("admin.round_detail", round_id=round_id))
    if (page := ask_first(award_round)) is not None:
        return page
    flash(
        _(
            "%(new)s created as a draft from %(old)s, every date one year later. Check its "
            "dates, categories, panel and reminders before it opens.",
            new=new_round.title,
            old=award_round.title,
        ),
        "success",
    )
    return redirect(url_for("admin.round_detail", round_id=new_round.id))
