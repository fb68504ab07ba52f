"""The nominator's Referees page: name referees, see whose letter has come, remove one.

The nominator sees only whether each letter was received, never the letter, its name or size.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from nominations.confirming import Question, ask_first, asks
from nominations.forms import add_error
from nominations.models import Nomination, NominationStatus, db
from nominations.nominate import bp
from nominations.policy import authorize
from nominations.workflow import NotFound, WorkflowError
from nominations.workflow.nominations import queries
from nominations.workflow.nominations.rules import letter_problems
from nominations.workflow.referees import (
    RefereeData,
    letter_count,
    letter_deadline,
    letters_open,
    name_referee,
)
from nominations.workflow.referees import (
    remove_referee as remove_named_referee,
)


class RefereeForm(FlaskForm):
    name = StringField(
        _l("Referee's name"),
        validators=[DataRequired(message=_l("Enter the referee's name.")), Length(max=200)],
    )
    email = EmailField(
        _l("Referee's e-mail"),
        validators=[
            DataRequired(message=_l("Enter the referee's e-mail address.")),
            Length(max=254),
        ],
    )
    relation = StringField(
        _l("Relation to the nominee"),
        description=_l("For example: former supervisor, collaborator, head of department."),
        validators=[Optional(), Length(max=200)],
    )
    submit = SubmitField(_l("Name the referee and e-mail the link"))


def _nomination(nomination_id: int) -> Nomination:
    nomination = queries.nomination_with_documents(nomination_id)
    if nomination is None:
        abort(404)
    authorize("nomination.edit", current_user, nomination)
    return nomination


def _changeable(nomination: Nomination) -> bool:
    return nomination.status in (
        NominationStatus.DRAFT,
        NominationStatus.SUBMITTED,
    ) and letters_open(nomination)


def _render(nomination: Nomination, form: RefereeForm):
    category = nomination.category
    return render_template(
        "nominate/referees.html",
        nomination=nomination,
        category=category,
        award_round=category.round,
        form=form,
        count=letter_count(nomination),
        missing=letter_problems(nomination),
        deadline=letter_deadline(category),
        changeable=_changeable(nomination),
    )


@bp.route("/nominations/<int:nomination_id>/referees", methods=["GET", "POST"])
@login_required
def referees(nomination_id: int):
    nomination = _nomination(nomination_id)
    form = RefereeForm()
    if request.method == "POST" and form.validate_on_submit():
        data = RefereeData(form.name.data, form.email.data, form.relation.data or "")
        try:
            referee = name_referee(nomination, data, actor=current_user)
        except WorkflowError as error:
            db.session.rollback()
            add_error(form, error.field, error.message)
        else:
            flash(
                _(
                    "%(name)s is named as a referee; the link to upload the letter is on its way "
                    "to %(email)s.",
                    name=referee.name,
                    email=referee.email,
                ),
                "success",
            )
            return redirect(url_for("nominate.referees", nomination_id=nomination.id))
    return _render(nomination, form)


@asks("nominate.remove_referee")
def _removing(nomination: Nomination) -> Question:
    return Question(
        _("Remove this referee?"),
        _("The link stops working, and the letter, if it has come, is deleted."),
        _("Remove the referee"),
        url_for("nominate.referees", nomination_id=nomination.id),
    )


@bp.route("/nominations/<int:nomination_id>/referees/<int:referee_id>/remove", methods=["POST"])
@login_required
def remove_referee(nomination_id: int, referee_id: int):
    nomination = _nomination(nomination_id)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            referee = remove_named_referee(nomination, referee_id, actor=current_user)
        except NotFound:
            abort(404)
        except WorkflowError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            if (page := ask_first(nomination)) is not None:
                return page
            flash(_("%(name)s is no longer a referee.", name=referee.name), "success")
    return redirect(url_for("nominate.referees", nomination_id=nomination.id))


@bp.app_template_filter("letter_count")
def letter_count_filter(nomination: Nomination):
    """'1 of 2 letters received' for a nomination whose referees are loaded."""
    return letter_count(nomination)
