"""The reviewer's pages: the overview of his rounds, a category's nominations, and one
nomination with the review form and the other reviews he may see."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nominations import storage
from nominations.forms import refuse
from nominations.models import (
    Attachment,
    AwardCategory,
    Nomination,
    Referee,
    Review,
    ReviewStatus,
    db,
)
from nominations.models.discussion import DiscussionNote
from nominations.policy import allowed, authorize
from nominations.review import bp
from nominations.review.forms import review_form
from nominations.workflow import NotFound, WorkflowError, access
from nominations.workflow.conflicts import KIND_LABELS
from nominations.workflow.history import nominee_history
from nominations.workflow.questions.reading import answers_of
from nominations.workflow.referees import letter_count, letter_deadline
from nominations.workflow.retention import letters_deleted
from nominations.workflow.review_overview import reviewer_rounds, rounds_past_draft_query
from nominations.workflow.reviews import (
    RECOMMENDATION_LABELS,
    ReviewInput,
    get_review,
    lock_reason,
    own_reviews,
    review_scores,
    save_review,
    visible_other_reviews,
    weighted_total,
)
from nominations.workflow.rubric import category_criteria


def attachment_url(attachment: Attachment) -> str:
    return url_for(
        "nominate.attachment",
        nomination_id=attachment.nomination_id,
        attachment_id=attachment.id,
    )


@bp.context_processor
def review_helpers() -> dict:
    return {
        "attachment_url": attachment_url,
        "recommendation_labels": RECOMMENDATION_LABELS,
        "kind_labels": KIND_LABELS,
    }


@bp.route("/")
def index():
    admin_rounds = None
    if current_user.is_admin:
        admin_rounds = db.paginate(
            rounds_past_draft_query(), per_page=current_app.config["PER_PAGE"], error_out=False
        )
    return render_template(
        "review/index.html", rounds=reviewer_rounds(current_user), admin_rounds=admin_rounds
    )


@bp.route("/categories/<int:category_id>")
def category(category_id: int):
    category = db.get_or_404(AwardCategory, category_id)
    authorize("review.category", current_user, category)
    award_round = category.round
    closed = access.call_closed(award_round)
    page = None
    reviews: dict[int, Review] = {}
    criteria = category_criteria(category)
    if closed:
        page = db.paginate(
            access.visible_nominations_query(current_user, category, panel_only=True).options(
                db.joinedload(Nomination.nominee_department)
            ),
            per_page=50,
            error_out=False,
        )
        reviews = own_reviews(current_user, (n.id for n in page.items))
    totals = {nid: weighted_total(review_scores(r), criteria) for nid, r in reviews.items()}
    return render_template(
        "review/category.html",
        category=category,
        award_round=award_round,
        closed=closed,
        page=page,
        reviews=reviews,
        totals=totals,
        chair=access.is_chair_for(current_user, category),
        locked=lock_reason(award_round),
    )


def _nomination_for_panel(nomination_id: int) -> tuple[Nomination, bool]:
    """The nomination and whether the user reviews it; 404 for those who may not see it."""
    nomination = db.session.get(
        Nomination,
        nomination_id,
        options=[
            db.joinedload(Nomination.category).joinedload(AwardCategory.round),
            db.joinedload(Nomination.nominee_department),
            db.joinedload(Nomination.nominator),
            db.joinedload(Nomination.on_behalf_of_department),
            db.selectinload(Nomination.attachments),
            # Joined, not a query of their own each: the page stays within its query budget.
            db.joinedload(Nomination.referees),
            db.joinedload(Nomination.discussion_note).joinedload(DiscussionNote.updated_by),
        ],
    )
    if nomination is None:
        abort(404)
    authorize("review.read", current_user, nomination)
    return nomination, allowed("review.write", current_user, nomination)


@bp.route("/nominations/<int:nomination_id>", methods=["GET", "POST"])
def nomination(nomination_id: int):
    nomination, reviewing = _nomination_for_panel(nomination_id)
    category = nomination.category
    award_round = category.round
    criteria = category_criteria(category)
    review = get_review(nomination, current_user) if reviewing else None
    locked = lock_reason(award_round)
    initial = {}
    if review is not None:
        initial = {f"score_{k}": str(v) for k, v in review_scores(review).items()}
        initial |= {"comment": review.comment, "recommendation": review.recommendation or ""}
    form = review_form(criteria, data=initial)
    if request.method == "POST":
        authorize("review.write", current_user, nomination)
        if form.validate_on_submit():
            data = ReviewInput(
                scores=form.scores(),
                comment=form.comment.data or "",
                recommendation=form.recommendation_value(),
            )
            submit = bool(form.submit_review.data)
            # A save moves the review's "last change" only when something in it changed.
            last_change = review.updated_at if review is not None else None
            try:
                review = save_review(nomination, data, actor=current_user, submit=submit)
            except NotFound:
                abort(404)
            except WorkflowError as error:
                refuse(error, form)
            else:
                if last_change is not None and review.updated_at == last_change:
                    flash(_("Nothing was changed."), "info")
                elif review.status == ReviewStatus.SUBMITTED:
                    flash(
                        _(
                            "Your review of %(nominee)s is submitted.",
                            nominee=nomination.nominee_name,
                        ),
                        "success",
                    )
                else:
                    flash(
                        _("Draft review of %(nominee)s saved.", nominee=nomination.nominee_name),
                        "success",
                    )
                return redirect(url_for("review.nomination", nomination_id=nomination.id))
    own_total = weighted_total(review_scores(review), criteria) if review else None
    others = visible_other_reviews(nomination, current_user)
    return render_template(
        "review/nomination.html",
        nomination=nomination,
        category=category,
        award_round=award_round,
        criteria=criteria,
        reviewing=reviewing,
        review=review,
        own_total=own_total,
        form=form,
        locked=locked,
        others=others,
        own_scores=review_scores(review) if review else {},
        other_scores={r.id: review_scores(r) for r in others},
        other_totals={r.id: weighted_total(review_scores(r), criteria) for r in others},
        others_visible=allowed("review.view_others", current_user, nomination),
        chair=access.is_chair_for(current_user, category),
        answered=answers_of(nomination),
        letters_readable=allowed("referee_letter.read", current_user, nomination),
        letters=letter_count(nomination),
        letter_deadline=letter_deadline(category),
        letters_deleted=letters_deleted(nomination),
        discussion_note=nomination.discussion_note,
        history=nominee_history(nomination, current_user),
    )


@bp.route("/nominations/<int:nomination_id>/letters/<int:referee_id>")
def referee_letter(nomination_id: int, referee_id: int):
    """A referee's letter, for the panel (never conflicted) and administrators, never the
    nominator: the one rule ``referee_letter.read``; never inline, never cached."""
    referee = db.session.execute(
        db.select(Referee)
        .where(Referee.id == referee_id, Referee.nomination_id == nomination_id)
        .options(
            db.joinedload(Referee.nomination)
            .joinedload(Nomination.category)
            .joinedload(AwardCategory.round)
        )
    ).scalar_one_or_none()
    if referee is None or not referee.received:
        abort(404)
    authorize("referee_letter.read", current_user, referee.nomination)
    response = storage.download(referee)
    if response is None:
        current_app.logger.error(
            "Referee %s: the letter %r is not stored", referee.id, referee.stored_name
        )
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
