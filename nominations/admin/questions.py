"""Admin: the questions a category asks its nominators (beside the category's rubric)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nominations.admin import bp
from nominations.admin.acting import act_after_asking
from nominations.admin.panel_forms import ActionForm
from nominations.admin.question_forms import KIND_LABELS, QuestionForm
from nominations.confirming import Question, asks
from nominations.forms import refuse
from nominations.languages import localized
from nominations.models import AwardCategory, CategoryQuestion, db
from nominations.workflow import WorkflowError
from nominations.workflow.questions.definitions import (
    QuestionData,
    add_question,
    answer_counts,
    category_questions,
    delete_question,
    lock_reason,
    move_question,
    update_question,
)


@bp.app_template_filter("question_kind")
def question_kind(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def _data(form: QuestionForm, kind: str) -> QuestionData:
    return QuestionData(
        kind=kind,
        label=form.label.data or "",
        label_nb=form.label_nb.data or "",
        help_text=form.help_text.data or "",
        help_text_nb=form.help_text_nb.data or "",
        required=bool(form.required.data),
        word_limit=form.word_limit.data,
        options=form.options.data or "",
        options_nb=form.options_nb.data or "",
        min_value=form.min_value.data,
        max_value=form.max_value.data,
        whole_numbers=bool(form.whole_numbers.data),
    )


@bp.route("/categories/<int:category_id>/questions", methods=["GET", "POST"])
def questions(category_id: int):
    category = db.session.get(AwardCategory, category_id) or abort(404)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            question = add_question(category, _data(form, form.kind.data), actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_("Question “%(label)s” added.", label=localized(question, "label")), "success")
            return redirect(url_for("admin.questions", category_id=category.id))
    return render_template(
        "admin/questions.html",
        category=category,
        award_round=category.round,
        questions=category_questions(category.id),
        counts=answer_counts(category.id),
        locked=lock_reason(category),
        form=form,
        action_form=ActionForm(),
    )


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(question_id: int):
    question = db.session.get(CategoryQuestion, question_id) or abort(404)
    form = QuestionForm(obj=question)
    del form.kind  # fixed once added
    if form.validate_on_submit():
        try:
            update_question(question, _data(form, question.kind), actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_("Question “%(label)s” saved.", label=localized(question, "label")), "success")
            return redirect(url_for("admin.questions", category_id=question.category_id))
    return render_template(
        "admin/question_form.html",
        form=form,
        question=question,
        category=question.category,
        counts=answer_counts(question.category_id).get(question.id, (0, 0)),
        locked=lock_reason(question.category),
    )


@asks("admin.delete_question_view")
def _removing_question(question: CategoryQuestion) -> Question:
    return Question(
        _("Remove the question “%(label)s”?", label=localized(question, "label")),
        _("Nominators no longer see it; answers in drafts are deleted with it."),
        _("Remove the question"),
        url_for("admin.questions", category_id=question.category_id),
    )


@bp.route("/questions/<int:question_id>/delete", methods=["POST"])
def delete_question_view(question_id: int):
    question = db.session.get(CategoryQuestion, question_id) or abort(404)
    return act_after_asking(
        question,
        lambda: delete_question(question, actor=current_user),
        _("Question “%(label)s” removed.", label=localized(question, "label")),
        url_for("admin.questions", category_id=question.category_id),
    )


@bp.route("/questions/<int:question_id>/move", methods=["POST"])
def move_question_view(question_id: int):
    question = db.session.get(CategoryQuestion, question_id) or abort(404)
    if ActionForm().validate_on_submit():
        try:
            step = -1 if request.form.get("step") == "up" else 1
            moved = move_question(question, step, actor=current_user)
        except WorkflowError as error:
            refuse(error)
        else:
            if moved:
                flash(
                    _("Question “%(label)s” moved.", label=localized(question, "label")), "success"
                )
            else:
                flash(_("Nothing was changed."), "info")
    return redirect(url_for("admin.questions", category_id=question.category_id))
