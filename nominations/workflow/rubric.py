"""The rubric of a category (admins): its criteria, each with guidance, a weight and a scale.

Admins edit the rubric until reviewing starts in that category, that is until the first review
(draft or submitted) of one of its nominations is saved; from then on every review must be
scored against the same criteria, so the rubric is locked. New categories get
``rounds.DEFAULT_CRITERIA``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import gettext as _

from nominations.models import (
    AwardCategory,
    AwardRound,
    Criterion,
    Nomination,
    Review,
    RoundStatus,
    User,
    db,
)
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.panels import require_admin
from nominations.workflow.text import clean, clean_line

MAX_WEIGHT = 100.0
SCALE_BOUNDS = (0, 100)

CRITERION_FIELDS = (
    "name",
    "name_nb",
    "guidance",
    "guidance_nb",
    "weight",
    "scale_min",
    "scale_max",
    "position",
)


@dataclass
class CriterionData:
    name: str
    weight: float = 1.0
    scale_min: int = 1
    scale_max: int = 7
    guidance: str = ""
    name_nb: str = ""  # bokmål beside the English (optional: the English is shown instead)
    guidance_nb: str = ""


def category_criteria(category: AwardCategory) -> list[Criterion]:
    return list(
        db.session.execute(
            db.select(Criterion)
            .where(Criterion.category_id == category.id)
            .order_by(Criterion.position, Criterion.id)
        ).scalars()
    )


def round_criteria(award_round: AwardRound) -> dict[int, list[Criterion]]:
    """The criteria of every category of the round, by category id, in rubric order (one
    query; a category without criteria has an empty list)."""
    criteria: dict[int, list[Criterion]] = {c.id: [] for c in award_round.categories}
    for criterion in db.session.execute(
        db.select(Criterion)
        .join(AwardCategory, AwardCategory.id == Criterion.category_id)
        .where(AwardCategory.round_id == award_round.id)
        .order_by(Criterion.position, Criterion.id)
    ).scalars():
        criteria.setdefault(criterion.category_id, []).append(criterion)
    return criteria


def reviewing_started(category: AwardCategory) -> bool:
    """True once a review (draft or submitted) of a nomination in the category is saved."""
    return (
        db.session.execute(
            db.select(Review.id)
            .join(Nomination, Nomination.id == Review.nomination_id)
            .where(Nomination.category_id == category.id)
            .limit(1)
        ).first()
        is not None
    )


def categories_with_reviews(award_round: AwardRound) -> set[int]:
    """Ids of the round's categories whose rubric is locked (one query)."""
    return set(
        db.session.execute(
            db.select(Nomination.category_id)
            .join(Review, Review.nomination_id == Nomination.id)
            .join(AwardCategory, AwardCategory.id == Nomination.category_id)
            .where(AwardCategory.round_id == award_round.id)
            .distinct()
        ).scalars()
    )


def rubric_lock_reason(category: AwardCategory) -> str | None:
    if category.round.status == RoundStatus.PUBLISHED:
        return _("The round's results are published.")
    if reviewing_started(category):
        return _("Reviewing has started in this category: every review uses the same rubric.")
    return None


def _require_rubric_editable(category: AwardCategory) -> None:
    reason = rubric_lock_reason(category)
    if reason:
        raise WorkflowError(_("The rubric can no longer be changed. %(reason)s", reason=reason))


def _validate_criterion(category: AwardCategory, data: CriterionData, criterion_id) -> None:
    name = (data.name or "").strip()
    if not name:
        raise WorkflowError(_("Give the criterion a name."), "name")
    for field, limit in (
        ("name", 200),
        ("name_nb", 200),
        ("guidance", 2000),
        ("guidance_nb", 2000),
    ):
        if len(getattr(data, field) or "") > limit:
            message = (
                _("The name is too long (%(num)d characters at most).", num=limit)
                if field.startswith("name")
                else _("The guidance is too long (%(num)d characters at most).", num=limit)
            )
            raise WorkflowError(message, field)
    if data.weight is None or not 0 < data.weight <= MAX_WEIGHT:
        raise WorkflowError(
            _("The weight must be above 0 and at most %(most)d.", most=int(MAX_WEIGHT)), "weight"
        )
    low, high = SCALE_BOUNDS
    if data.scale_min is None or not low <= data.scale_min <= high:
        raise WorkflowError(
            _("The lowest score must be between %(low)d and %(high)d.", low=low, high=high),
            "scale_min",
        )
    if data.scale_max is None or not low <= data.scale_max <= high:
        raise WorkflowError(
            _("The highest score must be between %(low)d and %(high)d.", low=low, high=high),
            "scale_max",
        )
    if data.scale_max <= data.scale_min:
        raise WorkflowError(_("The highest score must be above the lowest."), "scale_max")
    clash = db.session.execute(
        db.select(Criterion.id).where(Criterion.category_id == category.id, Criterion.name == name)
    ).scalar_one_or_none()
    if clash is not None and clash != criterion_id:
        raise WorkflowError(
            _("This category already has a criterion called %(name)s.", name=name), "name"
        )


def _clean_criterion(data: CriterionData) -> CriterionData:
    return replace(
        data,
        name=clean_line(data.name),
        name_nb=clean_line(data.name_nb),
        guidance=clean(data.guidance, multiline=True),
        guidance_nb=clean(data.guidance_nb, multiline=True),
    )


def add_criterion(category: AwardCategory, data: CriterionData, *, actor: User) -> Criterion:
    require_admin(actor)
    _require_rubric_editable(category)
    data = _clean_criterion(data)
    _validate_criterion(category, data, None)
    position = 1 + max((c.position for c in category_criteria(category)), default=-1)
    criterion = Criterion(
        category_id=category.id,
        position=position,
        name=data.name.strip(),
        name_nb=data.name_nb,
        guidance=(data.guidance or "").strip(),
        guidance_nb=data.guidance_nb,
        weight=float(data.weight),
        scale_min=data.scale_min,
        scale_max=data.scale_max,
    )
    db.session.add(criterion)
    db.session.flush()
    audit.record(
        "criterion.create",
        criterion,
        actor=actor,
        after=audit.snapshot(criterion, CRITERION_FIELDS),
        round_id=category.round_id,
    )
    return criterion


def update_criterion(criterion: Criterion, data: CriterionData, *, actor: User) -> Criterion:
    require_admin(actor)
    category = criterion.category
    _require_rubric_editable(category)
    data = _clean_criterion(data)
    _validate_criterion(category, data, criterion.id)
    before = audit.snapshot(criterion, CRITERION_FIELDS)
    criterion.name = data.name.strip()
    criterion.guidance = (data.guidance or "").strip()
    criterion.name_nb, criterion.guidance_nb = data.name_nb, data.guidance_nb
    criterion.weight = float(data.weight)
    criterion.scale_min, criterion.scale_max = data.scale_min, data.scale_max
    db.session.flush()
    old, new = audit.changed(before, audit.snapshot(criterion, CRITERION_FIELDS))
    if new:
        audit.record(
            "criterion.update",
            criterion,
            actor=actor,
            before=old,
            after=new,
            round_id=category.round_id,
        )
    return criterion


def delete_criterion(criterion: Criterion, *, actor: User) -> None:
    require_admin(actor)
    category = criterion.category
    _require_rubric_editable(category)
    if len(category_criteria(category)) <= 1:
        raise WorkflowError(_("A rubric needs at least one criterion."))
    audit.record(
        "criterion.delete",
        criterion,
        actor=actor,
        before=audit.snapshot(criterion, CRITERION_FIELDS),
        round_id=category.round_id,
    )
    db.session.delete(criterion)
    db.session.flush()
