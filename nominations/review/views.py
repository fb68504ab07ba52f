"""Review pages: thin views over workflow/access, conflicts, reviews, ranking and decisions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from nominations.forms import refuse
from nominations.models import (
    Attachment,
    AwardCategory,
    AwardRound,
    ConflictOfInterest,
    Decision,
    Nomination,
    Panel,
    PanelMember,
    PanelRole,
    Review,
    ReviewStatus,
    RoundStatus,
    db,
)
from nominations.policy import allowed, authorize
from nominations.review import bp
from nominations.review.forms import (
    ActionForm,
    AwardForm,
    CitationForm,
    ClearConflictForm,
    ConflictForm,
    review_form,
)
from nominations.workflow import NotFound, WorkflowError, access, assignment
from nominations.workflow.calls import CLOCK_STATUSES
from nominations.workflow.conflicts import (
    KIND_LABELS,
    clear_conflict,
    declare_conflict,
    hidden_count,
    round_conflicts,
)
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
from nominations.workflow.progress import round_progress
from nominations.workflow.ranking import METHOD_TEXT, SORT_KEYS, compute_ranking
from nominations.workflow.reviews import (
    RECOMMENDATION_LABELS,
    ReviewInput,
    get_review,
    lock_reason,
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


def _get(model, object_id: int):
    return db.session.get(model, object_id) or abort(404)


# --------------------------------------------------------------------------------------------
# The reviewer's overview


@dataclass
class CategoryEntry:
    category: AwardCategory
    total: int = 0
    submitted: int = 0
    drafts: int = 0


@dataclass
class RoundEntry:
    award_round: AwardRound
    closed: bool
    chair: bool = False
    all_categories: bool = False
    category_ids: set[int] = field(default_factory=set)
    entries: list[CategoryEntry] = field(default_factory=list)
    hidden: int = 0


@bp.route("/")
def index():
    user = current_user
    memberships = (
        db.session.execute(
            db.select(PanelMember)
            .join(Panel, Panel.id == PanelMember.panel_id)
            .join(AwardRound, AwardRound.id == Panel.round_id)
            .where(PanelMember.user_id == user.id)
            .options(
                db.contains_eager(PanelMember.panel)
                .contains_eager(Panel.round)
                .selectinload(AwardRound.categories)
            )
            .order_by(AwardRound.closes_at.desc(), AwardRound.id)
        )
        .unique()
        .scalars()
        .all()
        if user.is_reviewer
        else []
    )
    rounds: dict[int, RoundEntry] = {}
    for member in memberships:
        award_round = member.panel.round
        entry = rounds.setdefault(
            award_round.id, RoundEntry(award_round, access.call_closed(award_round))
        )
        entry.chair |= member.role == PanelRole.CHAIR
        if member.panel.category_id is None:
            entry.all_categories = True
        else:
            entry.category_ids.add(member.panel.category_id)

    # What this reviewer sees and how far they are, in one query for all rounds.
    counts: dict[int, CategoryEntry] = {}
    if rounds:
        visible = access.visible_nominations_query(user, panel_only=True)
        statement = (
            visible.with_only_columns(Nomination.category_id, Review.status)
            .outerjoin(
                Review, (Review.nomination_id == Nomination.id) & (Review.reviewer_id == user.id)
            )
            .order_by(None)
        )
        tallies: dict[int, list] = defaultdict(lambda: [0, 0, 0])
        for category_id, status in db.session.execute(statement).all():
            tally = tallies[category_id]
            tally[0] += 1
            tally[1] += status == ReviewStatus.SUBMITTED
            tally[2] += status == ReviewStatus.DRAFT
        for entry in rounds.values():
            for category in entry.award_round.categories:
                if entry.all_categories or category.id in entry.category_ids:
                    total, submitted, drafts = tallies.get(category.id, (0, 0, 0))
                    counts[category.id] = CategoryEntry(category, total, submitted, drafts)
                    entry.entries.append(counts[category.id])
            if entry.closed:
                entry.hidden = hidden_count(user, entry.award_round)

    admin_rounds = None
    if user.is_admin:
        admin_rounds = db.paginate(
            db.select(AwardRound)
            .where(AwardRound.status != RoundStatus.DRAFT)
            .options(db.selectinload(AwardRound.categories))
            .order_by(AwardRound.closes_at.desc(), AwardRound.id),
            per_page=current_app.config["PER_PAGE"],
            error_out=False,
        )
    return render_template(
        "review/index.html", rounds=list(rounds.values()), admin_rounds=admin_rounds
    )


@bp.route("/categories/<int:category_id>")
def category(category_id: int):
    category = _get(AwardCategory, category_id)
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
        ids = [n.id for n in page.items]
        reviews = {
            r.nomination_id: r
            for r in db.session.execute(
                db.select(Review)
                .where(Review.reviewer_id == current_user.id, Review.nomination_id.in_(ids))
                .options(db.selectinload(Review.scores))
            ).scalars()
        }
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


# --------------------------------------------------------------------------------------------
# A nomination for the panel: details, the review form, the other reviews


def _nomination_for_panel(nomination_id: int) -> tuple[Nomination, bool]:
    """The nomination and whether the user reviews it; 404 for those who may not see it."""
    nomination = _get(Nomination, nomination_id)
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
            try:
                review = save_review(nomination, data, actor=current_user, submit=submit)
            except NotFound:
                abort(404)
            except WorkflowError as error:
                refuse(error, form)
            else:
                if review.status == ReviewStatus.SUBMITTED:
                    flash(f"Your review of {nomination.nominee_name} is submitted.", "success")
                else:
                    flash(f"Draft review of {nomination.nominee_name} saved.", "success")
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
    )


@bp.route("/nominations/<int:nomination_id>/conflict", methods=["GET", "POST"])
def declare(nomination_id: int):
    nomination = _get(Nomination, nomination_id)
    authorize("conflict.declare", current_user, nomination)
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            declare_conflict(
                nomination, kind=form.kind.data, reason=form.reason.data, actor=current_user
            )
        except NotFound:
            abort(404)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(
                f"Conflict of interest with {nomination.nominee_name} declared: the nomination "
                "is no longer shown to you and you are left out of its ranking.",
                "success",
            )
            return redirect(url_for("review.category", category_id=nomination.category_id))
    return render_template("review/conflict.html", nomination=nomination, form=form)


# --------------------------------------------------------------------------------------------
# The chair: conflicts, ranking, progress, decisions


@bp.route("/rounds/<int:round_id>/conflicts")
def conflicts(round_id: int):
    award_round = _get(AwardRound, round_id)
    authorize("progress.view", current_user, award_round)
    overseen = access.overseen_categories(current_user, award_round)
    # Not even another reviewer's conflict names a nomination the viewer is conflicted with.
    own = assignment.conflicted_nomination_ids(current_user, award_round)
    shown = [
        c
        for c in round_conflicts(award_round)
        if overseen is None or c.nomination.category_id in overseen
    ]
    rows = [c for c in shown if c.nomination_id not in own]
    return render_template(
        "review/conflicts.html",
        award_round=award_round,
        conflicts=rows,
        left_out=len({c.nomination_id for c in shown if c.nomination_id in own}),
        close_pending=award_round.status in CLOCK_STATUSES,
        form=ClearConflictForm(),
        editable=award_round.status != RoundStatus.PUBLISHED,
    )


@bp.route("/conflicts/<int:conflict_id>/clear", methods=["POST"])
def clear(conflict_id: int):
    conflict = _get(ConflictOfInterest, conflict_id)
    award_round = conflict.nomination.category.round
    authorize("conflict.clear", current_user, conflict)
    form = ClearConflictForm()
    if form.validate_on_submit():
        try:
            clear_conflict(conflict, reason=form.reason.data, actor=current_user)
        except WorkflowError as error:  # PermissionDenied included
            refuse(error)
        else:
            flash(
                f"Conflict of {conflict.reviewer.name} with {conflict.nomination.nominee_name} "
                "cleared.",
                "success",
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    return redirect(url_for("review.conflicts", round_id=award_round.id))


@bp.route("/categories/<int:category_id>/ranking")
def ranking(category_id: int):
    category = _get(AwardCategory, category_id)
    authorize("ranking.view", current_user, category)
    sort = request.args.get("sort", "normalised")
    direction = request.args.get("dir")
    descending = None if direction not in ("asc", "desc") else direction == "desc"
    result = compute_ranking(category, sort=sort, descending=descending, viewer=current_user)
    return render_template(
        "review/ranking.html",
        category=category,
        award_round=category.round,
        ranking=result,
        sort_keys=SORT_KEYS,
        method=METHOD_TEXT,
    )


@bp.route("/rounds/<int:round_id>/progress")
def progress(round_id: int):
    award_round = _get(AwardRound, round_id)
    authorize("progress.view", current_user, award_round)
    progress = round_progress(
        award_round, access.overseen_categories(current_user, award_round), viewer=current_user
    )
    return render_template("review/progress.html", award_round=award_round, progress=progress)


@bp.route("/categories/<int:category_id>/decisions", methods=["GET", "POST"])
def decisions(category_id: int):
    category = _get(AwardCategory, category_id)
    award_round = category.round
    authorize("decision.record", current_user, category)
    result = compute_ranking(category, viewer=current_user)
    form = AwardForm()
    form.nomination_id.choices = [
        (
            row.nomination_id,
            f"{row.nominee_name}"
            + (f" — rank {row.rank}" if row.rank else "")
            + (f", normalised {row.normalised:+.2f}" if row.normalised is not None else ""),
        )
        for row in result.rows
    ]
    if form.validate_on_submit():
        nomination = db.session.get(Nomination, form.nomination_id.data)
        try:
            if nomination is None or nomination.category_id != category.id:
                raise WorkflowError("Choose a nomination of this category.", "nomination_id")
            award_prize(nomination, form.citation.data, actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(f"{nomination.nominee_name} is a winner of {category.name}.", "success")
            return redirect(url_for("review.decisions", category_id=category.id))
    winners = category_decisions(category)
    return render_template(
        "review/decisions.html",
        category=category,
        award_round=award_round,
        winners=winners,
        form=form,
        citation_forms={
            d.id: CitationForm(prefix=f"d{d.id}", citation=d.citation) for d in winners
        },
        action_form=ActionForm(),
        revisable=revisable(award_round),
        hidden=result.hidden_count,
    )


def _decision_for_chair(decision_id: int) -> Decision:
    decision = _get(Decision, decision_id)
    authorize("decision.record", current_user, decision.category)
    return decision


@bp.route("/decisions/<int:decision_id>/citation", methods=["POST"])
def citation(decision_id: int):
    decision = _decision_for_chair(decision_id)
    category_id = decision.category_id
    form = CitationForm(prefix=f"d{decision.id}")
    if form.validate_on_submit():
        try:
            update_citation(decision, form.citation.data, actor=current_user)
        except WorkflowError as error:
            refuse(error)
        else:
            flash("Citation saved.", "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    return redirect(url_for("review.decisions", category_id=category_id))


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
            flash(f"{name} is no longer a winner.", "success")
    return redirect(url_for("review.decisions", category_id=category_id))


@bp.route("/rounds/<int:round_id>/decisions")
def round_summary(round_id: int):
    award_round = _get(AwardRound, round_id)
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
    award_round = _get(AwardRound, round_id)
    authorize("round.complete", current_user, award_round)
    if ActionForm().validate_on_submit():
        try:
            complete_decisions(award_round, actor=current_user)
        except WorkflowError as error:
            refuse(error)
        else:
            flash(
                f"The decisions of {award_round.title} are complete; an administrator can "
                "publish the results.",
                "success",
            )
    return redirect(url_for("review.round_summary", round_id=award_round.id))
