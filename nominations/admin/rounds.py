"""Admin: award rounds and their categories."""

from datetime import time

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nominations.admin import bp
from nominations.admin.forms import CategoryForm, RoundForm
from nominations.forms import fill_local, local_instant, refuse
from nominations.languages import localized
from nominations.models import AwardCategory, AwardRound, db
from nominations.workflow import WorkflowError
from nominations.workflow.rounds import (
    CategoryData,
    RoundData,
    create_category,
    create_round,
    update_category,
    update_round,
)


def _round_data(form: RoundForm) -> RoundData | None:
    opens_at = local_instant(form.opens_date, form.opens_time, time(0, 0))
    closes_at = local_instant(form.closes_date, form.closes_time, None)
    review_deadline = local_instant(form.review_date, form.review_time, None)
    if None in (opens_at, closes_at, review_deadline):
        return None
    return RoundData(
        name=form.name.data,
        name_nb=form.name_nb.data or "",
        year=form.year.data,
        organiser=form.organiser.data or "",
        description=form.description.data or "",
        description_nb=form.description_nb.data or "",
        opens_at=opens_at,
        closes_at=closes_at,
        review_deadline=review_deadline,
        ceremony_on=form.ceremony_on.data,
        blind_mode=form.blind_mode.data,
        department_conflicts=form.department_conflicts.data,
        inform_nominees=form.inform_nominees.data,
        retain_documents_months=form.retain_documents_months.data,
        retain_comments_months=form.retain_comments_months.data,
        retain_drafts_days=form.retain_drafts_days.data,
        coauthor_years=form.coauthor_years.data,
    )


def _category_data(form: CategoryForm) -> CategoryData:
    return CategoryData(
        name=form.name.data,
        name_nb=form.name_nb.data or "",
        description=form.description.data or "",
        description_nb=form.description_nb.data or "",
        eligibility_text=form.eligibility_text.data or "",
        eligibility_text_nb=form.eligibility_text_nb.data or "",
        phd_within_years=form.phd_within_years.data,
        exclude_winners_within_years=form.exclude_winners_within_years.data,
        prize_amount=form.prize_amount.data,
        currency=form.currency.data or "",
        prize_count=form.prize_count.data,
        funder=form.funder.data or "",
        self_nomination_allowed=form.self_nomination_allowed.data,
        department_nomination_allowed=form.department_nomination_allowed.data,
        word_limit=form.word_limit.data,
        requires_cv=form.requires_cv.data,
        requires_publications=form.requires_publications.data,
        max_support_letters=form.max_support_letters.data or 0,
        required_letters=form.required_letters.data or 0,
        letter_days_after_close=form.letter_days_after_close.data,
    )


# Workflow messages name model fields; the form splits instants into date and time fields.
ROUND_FIELD_MAP = {
    "opens_at": "opens_date",
    "closes_at": "closes_date",
    "review_deadline": "review_date",
}


def _get_round(round_id: int) -> AwardRound:
    return db.session.get(AwardRound, round_id) or abort(404)


@bp.route("/")
def index():
    return redirect(url_for("admin.rounds"))


@bp.route("/rounds")
def rounds():
    statement = db.select(AwardRound).order_by(AwardRound.year.desc(), AwardRound.name)
    page = db.paginate(statement, per_page=current_app.config["PER_PAGE"], error_out=False)
    counts = dict(
        db.session.execute(
            db.select(AwardCategory.round_id, db.func.count(AwardCategory.id))
            .where(AwardCategory.round_id.in_([r.id for r in page.items]))
            .group_by(AwardCategory.round_id)
        ).all()
    )
    return render_template("admin/rounds.html", page=page, counts=counts)


@bp.route("/rounds/new", methods=["GET", "POST"])
def new_round():
    form = RoundForm()
    if form.validate_on_submit() and (data := _round_data(form)) is not None:
        try:
            award_round = create_round(data, actor=current_user)
        except WorkflowError as error:
            refuse(error, form, ROUND_FIELD_MAP.get(error.field))
        else:
            flash(
                _(
                    "Round %(title)s created. Now add its categories; it opens only "
                    "when you confirm its announcement, and nothing is sent before.",
                    title=award_round.title,
                ),
                "success",
            )
            return redirect(url_for("admin.round_detail", round_id=award_round.id))
    return render_template("admin/round_form.html", form=form, award_round=None)


@bp.route("/rounds/<int:round_id>")
def round_detail(round_id: int):
    # Its categories in the same query: every part of the page lists them.
    options = [db.joinedload(AwardRound.categories)]
    award_round = db.session.get(AwardRound, round_id, options=options) or abort(404)
    return render_template("admin/round_detail.html", award_round=award_round)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
def edit_round(round_id: int):
    award_round = _get_round(round_id)
    form = RoundForm(obj=award_round)
    if not form.is_submitted():
        fill_local(award_round.opens_at, form.opens_date, form.opens_time)
        fill_local(award_round.closes_at, form.closes_date, form.closes_time)
        fill_local(award_round.review_deadline, form.review_date, form.review_time)
    if form.validate_on_submit() and (data := _round_data(form)) is not None:
        try:
            update_round(award_round, data, actor=current_user)
        except WorkflowError as error:
            refuse(error, form, ROUND_FIELD_MAP.get(error.field))
        else:
            flash(_("Saved %(title)s.", title=award_round.title), "success")
            return redirect(url_for("admin.round_detail", round_id=award_round.id))
    return render_template("admin/round_form.html", form=form, award_round=award_round)


@bp.route("/rounds/<int:round_id>/categories/new", methods=["GET", "POST"])
def new_category(round_id: int):
    award_round = _get_round(round_id)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = create_category(award_round, _category_data(form), actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(
                _(
                    "Category %(name)s added to %(title)s.",
                    name=localized(category, "name"),
                    title=award_round.title,
                ),
                "success",
            )
            return redirect(url_for("admin.round_detail", round_id=award_round.id))
    return render_template(
        "admin/category_form.html", form=form, award_round=award_round, category=None
    )


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = db.session.get(AwardCategory, category_id) or abort(404)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            update_category(category, _category_data(form), actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_("Saved category %(name)s.", name=localized(category, "name")), "success")
            return redirect(url_for("admin.round_detail", round_id=category.round_id))
    return render_template(
        "admin/category_form.html", form=form, award_round=category.round, category=category
    )
