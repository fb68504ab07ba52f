"""Disagreement worth a discussion: the nominations of a category whose reviewers disagree
most, for the panel meeting, each with the chair's note on how it was resolved."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nominations.forms import refuse
from nominations.models import REVIEWABLE_STATUSES, AwardCategory, Nomination, db
from nominations.policy import authorize
from nominations.review import bp
from nominations.review.forms import DiscussionNoteForm
from nominations.workflow import WorkflowError
from nominations.workflow.disagreement import (
    LISTED,
    SPREAD_THRESHOLD,
    disagreements,
    notes_for,
    save_note,
)
from nominations.workflow.ranking import compute_ranking


def _labelled(form: DiscussionNoteForm, nominee: str) -> DiscussionNoteForm:
    """Each note field says whose note it is: a page of fields all labelled alike leaves one
    guessing."""
    form.note.label.text = _("How the disagreement on %(nominee)s was resolved", nominee=nominee)
    form.submit.label.text = _("Save the note on %(nominee)s", nominee=nominee)
    return form


def _page(category: AwardCategory, refused: tuple[int, DiscussionNoteForm] | None = None):
    result = compute_ranking(category, viewer=current_user)
    listed = disagreements(result)
    notes = notes_for(d.row.nomination_id for d in listed)
    forms = {}
    for item in listed:
        nomination_id = item.row.nomination_id
        if refused is not None and refused[0] == nomination_id:
            forms[nomination_id] = refused[1]
        else:
            note = notes.get(nomination_id)
            form = DiscussionNoteForm(
                formdata=None, prefix=f"n{nomination_id}", note=note.note if note else ""
            )
            forms[nomination_id] = _labelled(form, item.row.nominee_name)
    return render_template(
        "review/discussion.html",
        category=category,
        award_round=category.round,
        ranking=result,
        listed=listed,
        notes=notes,
        forms=forms,
        threshold=SPREAD_THRESHOLD,
        limit=LISTED,
    )


@bp.route("/categories/<int:category_id>/discussion")
def discussion(category_id: int):
    category = db.get_or_404(AwardCategory, category_id)
    authorize("ranking.view", current_user, category)
    return _page(category)


@bp.route("/nominations/<int:nomination_id>/discussion-note", methods=["POST"])
def discussion_note(nomination_id: int):
    nomination = db.get_or_404(Nomination, nomination_id)
    if nomination.status not in REVIEWABLE_STATUSES:
        abort(404)
    authorize("discussion.note", current_user, nomination)
    category = nomination.category
    form = DiscussionNoteForm(prefix=f"n{nomination.id}")
    if not form.validate_on_submit():
        return _page(category, (nomination.id, _labelled(form, nomination.nominee_name)))
    try:
        note, changed = save_note(nomination, form.note.data or "", actor=current_user)
    except WorkflowError as error:
        refuse(error)
    else:
        if not changed:
            flash(_("Nothing was changed."), "info")
        elif note is None:
            flash(
                _("The note on %(nominee)s is removed.", nominee=nomination.nominee_name), "success"
            )
        else:
            flash(
                _("The note on %(nominee)s is saved.", nominee=nomination.nominee_name), "success"
            )
    return redirect(url_for("review.discussion", category_id=category.id) + f"#n{nomination.id}")
