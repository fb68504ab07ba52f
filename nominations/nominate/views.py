"""Staff nominate: the nomination form (draft, submit, edit, withdraw) and My nominations.
Views parse and render; the workflow decides. The supporting documents' download and what the
form uploads live in ``documents``."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from nominations.auth.access import role_required
from nominations.confirming import Question, ask_first, asks
from nominations.forms import add_error, refuse
from nominations.languages import localized
from nominations.models import AwardCategory, Nomination, NominationStatus, db
from nominations.nominate import bp
from nominations.nominate.documents import document_changes
from nominations.nominate.forms import (
    NominationForm,
    WithdrawForm,
    build_form,
    creation_token,
    describe_documents,
    form_data,
)
from nominations.nominate.kept import keeps_typed_text
from nominations.nominate.questions import Answered, answer_changes, describe_files
from nominations.policy import allowed, authorize
from nominations.timeutil import format_local, now
from nominations.workflow import NotFound, PermissionDenied, WorkflowError, renominate
from nominations.workflow.calls import accepts_nominations
from nominations.workflow.nominations import queries
from nominations.workflow.nominations.commands import (
    AlreadyCreated,
    SaveResult,
    save_draft,
    submit,
    update,
    withdraw,
)
from nominations.workflow.nominations.rules import (
    NOMINATOR_EDITABLE,
    AlreadySubmitted,
    CallNotOpen,
    NominationProblems,
    call_not_open_reason,
    closed_message,
    departments_acting_for,
)
from nominations.workflow.questions.definitions import category_questions
from nominations.workflow.questions.reading import answers_of


def _get_category(category_id: int) -> AwardCategory:
    return queries.category_with_round(category_id) or abort(404)


def _get_nomination(nomination_id: int) -> Nomination:
    """The nomination if the signed-in user may see it; 404 otherwise (never 403, so that
    nobody learns which nominations exist)."""
    nomination = queries.nomination_with_documents(nomination_id)
    if nomination is None:
        abort(404)
    authorize("nomination.view", current_user, nomination)
    return nomination


def _attach_problems(form: NominationForm, error: WorkflowError, summary: bool = True) -> None:
    if isinstance(error, NominationProblems):
        for field_name, message in error.problems:
            add_error(form, field_name, message)
        if summary and len(error.problems) > 1:
            form.form_errors.append(error.message)
    else:
        add_error(form, error.field, error.message)


def _answered(category: AwardCategory, nomination: Nomination | None) -> Answered:
    """The category's questions with the nomination's answers (one query)."""
    if nomination is None:
        return [(question, None) for question in category_questions(category.id)]
    return answers_of(nomination)


def _render(
    category: AwardCategory,
    nomination: Nomination | None,
    form,
    *,
    editable: bool,
    answered: Answered | None = None,
):
    # The removal checkboxes are written by the template, so no error shows at them.
    unclear = gettext("The documents ticked for removal were not understood; tick them again.")
    if form.remove_documents.errors:
        if unclear not in form.form_errors:
            form.form_errors.append(unclear)
        form.remove_documents.errors = []  # said once, at the top (it has no input of its own)
    # What each document field holds now (a refused submission may have saved the draft).
    describe_documents(form, category, nomination)
    if answered is None:  # after a save: what is stored now
        answered = _answered(category, nomination)
    describe_files(form, answered)
    return render_template(
        "nominate/form.html",
        category=category,
        award_round=category.round,
        nomination=nomination,
        form=form,
        editable=editable,
        answered=answered,
        withdraw_form=WithdrawForm(),
        duplicates=queries.duplicate_count(nomination) if nomination is not None else 0,
        not_open_reason=call_not_open_reason(category.round),
        at=now(),
    )


def _nothing_changed() -> str:
    return gettext("Nothing was changed.")


def _flash_duplicates(result: SaveResult) -> None:
    for warning in result.warnings:
        flash(warning, "warning")
    if result.duplicates:
        nomination = result.nomination
        flash(
            ngettext(
                "%(name)s already has another nomination in %(category)s. Yours is kept as a "
                "separate nomination; the administrators see them side by side.",
                "%(name)s already has other nominations in %(category)s. Yours is kept as a "
                "separate nomination; the administrators see them side by side.",
                result.duplicates,
                name=nomination.nominee_name or nomination.nominee_email,
                category=localized(nomination.category, "name"),
            ),
            "warning",
        )


def _handle_post(category: AwardCategory, nomination: Nomination | None, form):
    """One POST of the form: save a draft, submit, or save changes to a submitted one."""
    data = form_data(form)
    documents = document_changes(form)
    answers = answer_changes(
        form, _answered(category, nomination), request.form.getlist("remove_answers")
    )
    try:
        if nomination is not None and nomination.status == NominationStatus.SUBMITTED:
            result = update(
                nomination, data, actor=current_user, documents=documents, answers=answers
            )
            _flash_duplicates(result)
            if form.submit_nomination.data and not result.changed:
                # "Submit" on a page shown while it was a draft: a double click whose first
                # click has already submitted it. Answer as the first click did.
                return _submitted(category, nomination)
            flash(
                (gettext("Your changes are saved.") if result.changed else _nothing_changed())
                + " "
                + gettext(
                    "You can edit the nomination until %(time)s.",
                    time=format_local(category.round.closes_at),
                ),
                "success" if result.changed else "info",
            )
            return redirect(url_for("nominate.edit", nomination_id=nomination.id))
        result = save_draft(
            category,
            data,
            actor=current_user,
            nomination=nomination,
            documents=documents,
            token=creation_token(form) if nomination is None else None,
            answers=answers,
        )
    except NotFound:
        abort(404)
    except PermissionDenied:
        raise  # the policy's refusal: answered by nominations.errors
    except AlreadySubmitted as error:
        if form.submit_nomination.data:
            return _submitted_meanwhile(category, nomination)
        db.session.rollback()  # "Save draft" on a page shown before it was submitted
        _attach_problems(form, error)
        return _render(category, nomination, form, editable=True)
    except WorkflowError as error:
        db.session.rollback()  # nothing of a refused save or edit is kept
        _attach_problems(form, error)
        return _render(category, nomination, form, editable=True)

    nomination = result.nomination
    _flash_duplicates(result)
    if result.refused:
        for error in result.refused:
            add_error(form, error.field, error.message)
        form.form_errors.append(
            gettext(
                "Your draft is saved, but the documents marked below were not accepted and it "
                "was not submitted."
            )
            if form.submit_nomination.data
            else gettext("Your draft is saved, but the documents marked below were not accepted.")
        )
        return _render(category, nomination, form, editable=True)
    if not form.submit_nomination.data:
        flash(
            (
                gettext("Draft saved at %(time)s.", time=format_local(now()))
                if result.changed
                else _nothing_changed()
            )
            + " "
            + gettext(
                "You can come back to it from My nominations and submit it before %(time)s.",
                time=format_local(category.round.closes_at),
            ),
            "success" if result.changed else "info",
        )
        return redirect(url_for("nominate.edit", nomination_id=nomination.id))
    # A refused submission is rolled back to its savepoint and the page answers 200, so the
    # edge commits the draft saved above: do not roll back (nor ``refuse()``) here.
    try:
        submit(nomination, actor=current_user)
    except CallNotOpen:
        # The closing time passed between saving the draft and submitting it: the draft
        # holds what was typed, only the submission was too late.
        form.form_errors.append(
            closed_message(category.round, stored=True, just_saved=True)
            or gettext("Your draft is saved, but it was not submitted.")
        )
        return _render(category, nomination, form, editable=True)
    except AlreadySubmitted:
        return _submitted_meanwhile(category, nomination)
    except WorkflowError as error:
        _attach_problems(form, error, summary=False)
        form.form_errors.insert(
            0,
            gettext(
                "Your draft is saved, but it cannot be submitted until the points below are fixed."
            ),
        )
        return _render(category, nomination, form, editable=True)
    return _submitted(category, nomination)


def _submitted_meanwhile(category: AwardCategory, nomination: Nomination):
    """A double click: the first click submitted the nomination while this one waited on its
    row lock. Answer as the first did; this request keeps nothing."""
    db.session.rollback()
    return _submitted(category, nomination)


def _submitted(category: AwardCategory, nomination: Nomination):
    flash(
        gettext(
            "Nomination submitted. A confirmation is on its way to %(email)s. "
            "You can edit or withdraw it until %(time)s.",
            email=current_user.email,
            time=format_local(category.round.closes_at),
        ),
        "success",
    )
    return redirect(url_for("nominate.edit", nomination_id=nomination.id))


@bp.route("/calls/<int:category_id>/nominate", methods=["GET", "POST"])
@keeps_typed_text
@role_required("staff")
def new(category_id: int):
    category = _get_category(category_id)
    answered = _answered(category, None)
    form = build_form(
        category,
        None,
        queries.departments(),
        departments_acting_for(current_user, category),
        answered,
    )
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render(category, None, form, editable=True)
        try:
            return _handle_post(category, None, form)
        except AlreadyCreated as repeat:
            # The same form again (a double click, a reload, a retry after a lost answer):
            # what it carries goes to the nomination it made, never into a second one.
            flash(
                gettext(
                    "This form had been sent already: it went to the same nomination, "
                    "not a second one."
                ),
                "info",
            )
            return _handle_post(repeat.nomination.category, repeat.nomination, form)
    if not accepts_nominations(category.round):
        flash(call_not_open_reason(category.round), "info")
        return redirect(url_for("calls.index"))
    return _render(category, None, form, editable=True, answered=answered)


@bp.route("/nominations/<int:nomination_id>", methods=["GET", "POST"])
@keeps_typed_text
@login_required
def edit(nomination_id: int):
    nomination = _get_nomination(nomination_id)
    category = nomination.category
    answered = _answered(category, nomination)
    form = build_form(
        category,
        nomination,
        queries.departments(),
        departments_acting_for(nomination.nominator, category),
        answered,
    )
    if request.method == "POST":
        authorize("nomination.edit", current_user, nomination)
        if form.validate_on_submit():
            return _handle_post(category, nomination, form)
        return _render(category, nomination, form, editable=True)
    editable = (
        allowed("nomination.edit", current_user, nomination)
        and nomination.status in NOMINATOR_EDITABLE
        and accepts_nominations(category.round)
    )
    return _render(category, nomination, form, editable=editable, answered=answered)


@asks("nominate.withdraw_nomination")
def _withdrawing(nomination: Nomination) -> Question:
    return Question(
        gettext("Withdraw this nomination?"),
        gettext(
            "You can submit it again until the call closes (%(time)s).",
            time=format_local(nomination.category.round.closes_at),
        ),
        gettext("Withdraw the nomination"),
        url_for("nominate.edit", nomination_id=nomination.id),
    )


@bp.route("/nominations/<int:nomination_id>/withdraw", methods=["POST"])
@login_required
def withdraw_nomination(nomination_id: int):
    nomination = _get_nomination(nomination_id)
    form = WithdrawForm()
    authorize("nomination.edit", current_user, nomination)
    if form.validate_on_submit():
        try:
            withdraw(nomination, actor=current_user)
        except NotFound:
            abort(404)
        except WorkflowError as error:
            refuse(error)
        else:
            if (page := ask_first(nomination)) is not None:
                return page
            flash(
                gettext(
                    "Nomination withdrawn. A confirmation is on its way to %(email)s. "
                    "You can submit it again until %(time)s.",
                    email=current_user.email,
                    time=format_local(nomination.category.round.closes_at),
                ),
                "success",
            )
    return redirect(url_for("nominate.edit", nomination_id=nomination.id))


@bp.route("/nominations/mine")
@role_required("staff")
def mine():
    """The nominator's drafts and submissions: a fixed number of queries for any number."""
    page = db.paginate(
        queries.my_nominations_query(current_user),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "nominate/mine.html",
        page=page,
        duplicates=queries.duplicate_counts(page.items),
        again=renominate.targets(page.items),
        open_rounds={
            n.category.round_id for n in page.items if accepts_nominations(n.category.round)
        },
    )
