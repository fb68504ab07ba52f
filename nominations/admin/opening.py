"""Admin: opening a round on purpose (the announcement, its recipients, the confirmation), and
the banner about rounds that did not open at their time."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from nominations.admin import bp
from nominations.admin.forms import ConfirmOpeningForm
from nominations.forms import refuse
from nominations.models import AwardRound, db
from nominations.timeutil import format_local
from nominations.timeutil import now as current_time
from nominations.workflow import WorkflowError
from nominations.workflow.opening import (
    announcement,
    confirm_opening,
    held_rounds,
    opening_problems,
)


@bp.app_template_global()
def rounds_not_opened() -> list[tuple[AwardRound, list]]:
    """For the admin round pages' banner: rounds past their opening time that stay closed."""
    at = current_time()
    return [(r, opening_problems(r, at)) for r in held_rounds(at)]


@bp.app_template_global()
def round_opening_problems(award_round: AwardRound) -> list:
    return opening_problems(award_round)


@bp.app_template_global()
def now_utc():
    return current_time()


@bp.route("/rounds/<int:round_id>/open", methods=["GET", "POST"])
def open_round(round_id: int):
    award_round = db.session.get(AwardRound, round_id) or abort(404)
    form = ConfirmOpeningForm()
    if form.validate_on_submit():
        try:
            result = confirm_opening(award_round, actor=current_user)
        except WorkflowError as error:
            refuse(error)
        else:
            flash(_confirmation(award_round, result), "success")
            return redirect(url_for("admin.round_detail", round_id=award_round.id))
    at = current_time()
    return render_template(
        "admin/round_open.html",
        award_round=award_round,
        form=form,
        problems=opening_problems(award_round, at),
        preview=announcement(award_round, current_user, at),
        opens_now=award_round.opens_at <= at,
    )


def _confirmation(award_round: AwardRound, result) -> str:
    title = award_round.title
    if result.already:
        return _("The opening of %(title)s was confirmed already; nothing changed.", title=title)
    if result.opened and result.queued:
        return ngettext(
            "%(title)s is open for nominations; the announcement goes to %(num)d staff member.",
            "%(title)s is open for nominations; the announcement goes to %(num)d staff members.",
            result.queued,
            title=title,
        )
    if result.opened:
        return _("%(title)s is open for nominations; no announcement sent.", title=title)
    return _(
        "Opening confirmed: %(title)s opens %(when)s, and the announcement goes out then.",
        title=title,
        when=format_local(award_round.opens_at),
    )
