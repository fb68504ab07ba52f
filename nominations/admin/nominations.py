"""Admin: every nomination per round and category, with filters, search, the duplicate flag,
a detail page with every field and document, and marking a nomination ineligible."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import aliased
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from nominations.admin import bp
from nominations.forms import add_error
from nominations.models import (
    AuditEvent,
    AwardCategory,
    AwardRound,
    Nomination,
    NominationStatus,
    db,
)
from nominations.routing import valid_id
from nominations.workflow import WorkflowError
from nominations.workflow.nominations import (
    ACTIVE_STATUSES,
    INELIGIBLE_FROM,
    MAX_REASON_CHARS,
    duplicate_counts,
    duplicates_of,
    mark_ineligible,
    problems,
)


class IneligibleForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired(message="Give the reason; the nominator will read it."),
            Length(max=MAX_REASON_CHARS),
        ],
        description="Sent to the nominator by e-mail and shown on their nomination.",
    )
    submit = SubmitField("Mark ineligible")


def _int_arg(name: str) -> int | None:
    return valid_id(request.args.get(name))


@bp.app_template_global()
def round_nomination_counts(award_round: AwardRound) -> list[tuple[AwardCategory, dict]]:
    """For the round page: each category with its number of nominations per status (one
    grouped query)."""
    rows = db.session.execute(
        db.select(Nomination.category_id, Nomination.status, db.func.count(Nomination.id))
        .join(Nomination.category)
        .where(AwardCategory.round_id == award_round.id)
        .group_by(Nomination.category_id, Nomination.status)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for category_id, status, count in rows:
        counts.setdefault(category_id, {})[status] = count
    return [(c, counts.get(c.id, {})) for c in award_round.categories]


@bp.route("/nominations")
def nominations():
    round_id = _int_arg("round")
    category_id = _int_arg("category")
    status = request.args.get("status", "")
    status = status if status in set(NominationStatus) else ""
    query = request.args.get("q", "").strip()[:200]
    only_duplicates = request.args.get("duplicates") == "1"

    statement = (
        db.select(Nomination)
        .join(Nomination.category)
        .join(AwardCategory.round)
        .options(
            db.contains_eager(Nomination.category).contains_eager(AwardCategory.round),
            db.joinedload(Nomination.nominator),
            db.joinedload(Nomination.nominee_department),
            db.joinedload(Nomination.on_behalf_of_department),
        )
        .order_by(
            AwardRound.closes_at.desc(),
            AwardCategory.position,
            AwardCategory.id,
            db.func.lower(Nomination.nominee_name),
            Nomination.id,
        )
    )
    if round_id:
        statement = statement.where(AwardCategory.round_id == round_id)
    if category_id:
        statement = statement.where(Nomination.category_id == category_id)
    if status:
        statement = statement.where(Nomination.status == status)
    if query:
        statement = statement.where(
            db.or_(
                db.func.lower(Nomination.nominee_name).contains(query.lower(), autoescape=True),
                Nomination.nominee_email.contains(query.lower(), autoescape=True),
            )
        )
    if only_duplicates:
        other = aliased(Nomination)
        statement = statement.where(
            Nomination.nominee_email != "",
            db.select(other.id)
            .where(
                other.category_id == Nomination.category_id,
                other.nominee_email == Nomination.nominee_email,
                other.id != Nomination.id,
                other.status.in_(ACTIVE_STATUSES),
            )
            .exists(),
        )
    page = db.paginate(statement, per_page=current_app.config["PER_PAGE"], error_out=False)

    rounds = db.session.execute(
        db.select(AwardRound).order_by(AwardRound.year.desc(), AwardRound.name)
    ).scalars()
    categories = (
        db.select(AwardCategory)
        .join(AwardCategory.round)
        .options(db.contains_eager(AwardCategory.round))
        .order_by(AwardRound.year.desc(), AwardRound.name, AwardCategory.position)
    )
    if round_id:
        categories = categories.where(AwardCategory.round_id == round_id)
    return render_template(
        "admin/nominations.html",
        page=page,
        duplicates=duplicate_counts(page.items),
        rounds=list(rounds),
        categories=list(db.session.execute(categories).scalars()),
        statuses=list(NominationStatus),
        filters={
            "round": round_id,
            "category": category_id,
            "status": status,
            "q": query,
            "duplicates": only_duplicates,
        },
    )


def _get_nomination(nomination_id: int) -> Nomination:
    nomination = db.session.execute(
        db.select(Nomination)
        .options(
            db.joinedload(Nomination.category).joinedload(AwardCategory.round),
            db.joinedload(Nomination.nominator),
            db.selectinload(Nomination.attachments),
        )
        .where(Nomination.id == nomination_id)
    ).scalar_one_or_none()
    return nomination or abort(404)


def _render_detail(nomination: Nomination, form: IneligibleForm):
    history = db.session.execute(
        db.select(AuditEvent)
        .options(db.joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == "Nomination", AuditEvent.object_id == nomination.id)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).scalars()
    return render_template(
        "admin/nomination_detail.html",
        nomination=nomination,
        category=nomination.category,
        award_round=nomination.category.round,
        others=duplicates_of(nomination),
        problems=problems(nomination) if nomination.status != NominationStatus.DRAFT else [],
        history=list(history),
        form=form,
        can_mark_ineligible=nomination.status in INELIGIBLE_FROM,
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
            db.session.rollback()
            if error.field is None:  # not about the reason: the form may not even show
                flash(error.message, "danger")
                return redirect(url_for("admin.nomination_detail", nomination_id=nomination.id))
            add_error(form, error.field, error.message)
        else:
            flash(f"Marked ineligible. {nomination.nominator.name} is told by e-mail.", "success")
            return redirect(url_for("admin.nomination_detail", nomination_id=nomination.id))
    return _render_detail(nomination, form)
