"""The chair's decisions: winners of a category with their citations, the round's summary,
and marking the round's decisions complete."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nominations.confirming import Question, ask_first, asks
from nominations.forms import refuse
from nominations.languages import localized
from nominations.models import AwardCategory, AwardRound, Decision, Nomination, db
from nominations.policy import authorize
from nominations.review import bp
from nominations.review.forms import ActionForm, AwardForm, CitationForm
from nominations.workflow import WorkflowError, access
from nominations.workflow.decisions import (
    award_prize,
    category_decisions,
    complete_decisions,
    revisable,
    revoke_prize,
    round_decisions,
    undecided_categories,
    update_citation,
)
from nominations.workflow.ranking import compute_ranking


@bp.route("/categories/<int:category_id>/decisions", methods=["GET", "POST"])
def decisions(category_id: int):
    category = db.get_or_404(AwardCategory, category_id)
    authorize("decision.record", current_user, category)
    result = compute_ranking(category, viewer=current_user)
    form = _award_form(result)
    if form.validate_on_submit():
        nomination = db.session.get(Nomination, form.nomination_id.data)
        try:
            if nomination is None or nomination.category_id != category.id:
                raise WorkflowError(_("Choose a nomination of this category."), "nomination_id")
            award_prize(nomination, form.citation.data, actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(
                _(
                    "%(nominee)s is a winner of %(category)s.",
                    nominee=nomination.nominee_name,
                    category=localized(category, "name"),
                ),
                "success",
            )
            return redirect(url_for("review.decisions", category_id=category.id))
    return _decisions_page(category, form, result)


def _award_form(result, **kwargs) -> AwardForm:
    form = AwardForm(**kwargs)
    form.nomination_id.choices = [(row.nomination_id, _choice_label(row)) for row in result.rows]
    return form


def _choice_label(row) -> str:
    """'Ada Lovelace — rank 1, normalised +0.53' (a nomination without reviews: its name)."""
    if row.rank and row.normalised is not None:
        return _(
            "%(nominee)s — rank %(rank)d, normalised %(normalised)s",
            nominee=row.nominee_name,
            rank=row.rank,
            normalised=format(row.normalised, "+.2f"),
        )
    if row.rank:
        return _("%(nominee)s — rank %(rank)d", nominee=row.nominee_name, rank=row.rank)
    return row.nominee_name


def _decisions_page(category: AwardCategory, form: AwardForm, result, refused=None):
    """The decisions page; ``refused``: (decision id, its citation form sent with errors), the
    errors shown at the field like any form's."""
    award_round = category.round
    winners = category_decisions(category)
    # Each winner's citation field says whose citation it is, and the new winner's field says
    # it is for the new winner: a page of fields all labelled "Citation" leaves one guessing.
    citation_forms = {}
    for decision in winners:
        name = decision.nomination.nominee_name
        if refused is not None and refused[0] == decision.id:
            citation_form = refused[1]
        else:
            citation_form = CitationForm(
                formdata=None, prefix=f"d{decision.id}", citation=decision.citation
            )
        citation_form.citation.label.text = _("Citation for %(nominee)s", nominee=name)
        citation_form.submit.label.text = _("Save the citation for %(nominee)s", nominee=name)
        citation_forms[decision.id] = citation_form
    return render_template(
        "review/decisions.html",
        category=category,
        award_round=award_round,
        winners=winners,
        form=form,
        citation_forms=citation_forms,
        all_awarded=len(winners) >= category.prize_count,
        action_form=ActionForm(),
        revisable=revisable(award_round),
        hidden=result.hidden_count,
    )


def _decision_for_chair(decision_id: int) -> Decision:
    decision = db.get_or_404(Decision, decision_id)
    authorize("decision.record", current_user, decision.category)
    return decision


@bp.route("/decisions/<int:decision_id>/citation", methods=["POST"])
def citation(decision_id: int):
    decision = _decision_for_chair(decision_id)
    category_id = decision.category_id
    form = CitationForm(prefix=f"d{decision.id}")
    if not form.validate_on_submit():
        category = decision.category
        result = compute_ranking(category, viewer=current_user)
        award_form = _award_form(result, formdata=None)
        return _decisions_page(category, award_form, result, (decision.id, form))
    try:
        update_citation(decision, form.citation.data, actor=current_user)
    except WorkflowError as error:
        refuse(error)
    else:
        flash(_("Citation saved."), "success")
    return redirect(url_for("review.decisions", category_id=category_id))


@asks("review.revoke")
def _revoking(decision: Decision) -> Question:
    name = decision.nomination.nominee_name
    return Question(
        _(
            "Remove %(nominee)s from the winners of %(category)s?",
            nominee=name,
            category=localized(decision.category, "name"),
        ),
        _("The prize and its citation are taken back; you can award it again."),
        _("Remove %(nominee)s from the winners", nominee=name),
        url_for("review.decisions", category_id=decision.category_id),
    )


@bp.route("/decisions/<int:decision_id>/revoke", methods=["POST"])
def revoke(decision_id: int):
    decision = _decision_for_chair(decision_id)
    category_id = decision.category_id
    name = decision.nomination.nominee_name
    if ActionForm().validate_on_submit():
        try:
            revoke_prize(decision, actor=current_user)
        except WorkflowError as error:
            refuse(error)
        else:
            if (page := ask_first(decision)) is not None:
                return page
            flash(_("%(nominee)s is no longer a winner.", nominee=name), "success")
    return redirect(url_for("review.decisions", category_id=category_id))


@bp.route("/rounds/<int:round_id>/decisions")
def round_summary(round_id: int):
    award_round = db.get_or_404(AwardRound, round_id)
    authorize("progress.view", current_user, award_round)
    overseen = access.overseen_categories(current_user, award_round)
    return render_template(
        "review/round_decisions.html",
        award_round=award_round,
        categories=[c for c in award_round.categories if overseen is None or c.id in overseen],
        decisions=round_decisions(award_round),
        undecided={c.id for c in undecided_categories(award_round)},
        action_form=ActionForm(),
        revisable=revisable(award_round),
    )


@bp.route("/rounds/<int:round_id>/complete", methods=["POST"])
def complete(round_id: int):
    award_round = db.get_or_404(AwardRound, round_id)
    authorize("round.complete", current_user, award_round)
    if ActionForm().validate_on_submit():
        try:
            complete_decisions(award_round, actor=current_user)
        except WorkflowError as error:
            refuse(error)
        else:
            flash(
                _(
                    "The decisions of %(round)s are complete; an administrator can publish the "
                    "results.",
                    round=award_round.title,
                ),
                "success",
            )
    return redirect(url_for("review.round_summary", round_id=award_round.id))
