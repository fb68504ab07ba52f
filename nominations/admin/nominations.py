"""Admin: every nomination per round and category, with filters, search, the duplicate flag,
a detail page with every field and document, and marking a nomination ineligible."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from nominations.admin import bp
from nominations.forms import refuse
from nominations.models import AwardCategory, AwardRound, Nomination, NominationStatus
from nominations.paging import Cursor
from nominations.policy import allowed
from nominations.routing import valid_id
from nominations.workflow import WorkflowError
from nominations.workflow.history import nominee_history
from nominations.workflow.nominations import queries
from nominations.workflow.nominations.commands import mark_ineligible
from nominations.workflow.nominations.rules import (
    INELIGIBLE_FROM,
    MAX_REASON_CHARS,
    letter_problems,
    problems,
)
from nominations.workflow.questions.reading import answers_of
from nominations.workflow.referees import letter_count, letter_deadline
from nominations.workflow.retention import letters_deleted


class IneligibleForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason; the nominator will read it.")),
            Length(max=MAX_REASON_CHARS),
        ],
        description=_l("Sent to the nominator by e-mail and shown on their nomination."),
    )
    submit = SubmitField(_l("Mark ineligible"))


def _int_arg(name: str) -> int | None:
    return valid_id(request.args.get(name))


@bp.app_template_global()
def round_nomination_counts(award_round: AwardRound) -> list[tuple[AwardCategory, dict]]:
    """For the round page: each category with its number of nominations per status."""
    return queries.round_nomination_counts(award_round)


@bp.route("/nominations")
def nominations():
    round_id = _int_arg("round")
    sort = request.args.get("sort", "")
    filters = queries.AdminFilters(
        round_id=round_id,
        category_id=_int_arg("category"),
        status=queries.valid_status(request.args.get("status", "")),
        text=request.args.get("q", "").strip()[:200],
        only_duplicates=request.args.get("duplicates") == "1",
        sort=sort if sort in queries.ADMIN_SORTS else "round",
    )
    categories = queries.filter_categories(round_id)
    page = queries.admin_nominations_page(
        filters,
        Cursor.from_args(request.args),
        per_page=current_app.config["PER_PAGE"],
        categories=categories,
    )
    return render_template(
        "admin/nominations.html",
        page=page,
        duplicates=queries.duplicate_counts(page.items),
        rounds=queries.filter_rounds(),
        categories=categories,
        statuses=list(NominationStatus),
        sorts=queries.ADMIN_SORTS,
        filters={
            "round": filters.round_id,
            "category": filters.category_id,
            "status": filters.status,
            "q": filters.text,
            "duplicates": filters.only_duplicates,
            "sort": filters.sort,
        },
    )


def _get_nomination(nomination_id: int) -> Nomination:
    return queries.nomination_with_documents(nomination_id) or abort(404)


def _render_detail(nomination: Nomination, form: IneligibleForm):
    return render_template(
        "admin/nomination_detail.html",
        nomination=nomination,
        category=nomination.category,
        award_round=nomination.category.round,
        others=queries.duplicates_of(nomination),
        problems=(
            problems(nomination) + letter_problems(nomination)
            if nomination.status != NominationStatus.DRAFT
            else []
        ),
        history=queries.nomination_history(nomination),
        answered=answers_of(nomination),
        history_entries=nominee_history(nomination, current_user),
        form=form,
        can_mark_ineligible=nomination.status in INELIGIBLE_FROM,
        letters=letter_count(nomination),
        letters_readable=allowed("referee_letter.read", current_user, nomination),
        letter_deadline=letter_deadline(nomination.category),
        letters_deleted=letters_deleted(nomination),
    )


@bp.route("/nominations/<int:nomination_id>")
def nomination_detail(nomination_id: int):
    return _render_detail(_get_nomination(nomination_id), IneligibleForm())


@bp.route("/nominations/<int:nomination_id>/ineligible", methods=["POST"])
def nomination_ineligible(nomination_id: int):
    nomination = _get_nomination(nomination_id)
    form = IneligibleForm()
    if form.validate_on_submit():
        try:
            mark_ineligible(nomination, actor=current_user, reason=form.reason.data)
        except WorkflowError as error:
            if error.field is None:  # not about the reason: the form may not even show
                refuse(error)
                return redirect(url_for("admin.nomination_detail", nomination_id=nomination.id))
            refuse(error, form)
        else:
            flash(
                _(
                    "Marked ineligible. %(name)s is told by e-mail.",
                    name=nomination.nominator.name,
                ),
                "success",
            )
            return redirect(url_for("admin.nomination_detail", nomination_id=nomination.id))
    return _render_detail(nomination, form)
