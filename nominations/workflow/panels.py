"""Review panels and rubrics (admins).

Panels: a round has one or more panels; a panel with a category covers that category only,
without one every category of the round. Members need the reviewer role. Every panel has
exactly one chair: a panel is created with its chair, appointing another chair makes the
previous one an ordinary member, and the chair cannot be removed (appoint another first).
A user may sit on several panels of a round; what they see is the union.

Rubric: the criteria of a category (name, guidance, weight, scale). Admins edit them until
reviewing starts in that category, that is until the first review (draft or submitted) of one
of its nominations is saved; from then on every review must be scored against the same
criteria, so the rubric is locked. New categories get ``rounds.DEFAULT_CRITERIA``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from nominations import policy
from nominations.models import (
    AwardCategory,
    AwardRound,
    Criterion,
    Nomination,
    Panel,
    PanelMember,
    PanelRole,
    Review,
    RoundStatus,
    User,
    db,
)
from nominations.workflow import audit
from nominations.workflow.conflicts import sync_automatic_conflicts
from nominations.workflow.errors import WorkflowError
from nominations.workflow.text import clean, clean_line

MAX_WEIGHT = 100.0
SCALE_BOUNDS = (0, 100)


def _require_admin(actor: User) -> None:
    policy.authorize("panel.manage", actor)


def _require_editable(award_round: AwardRound) -> None:
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError("The round's results are published; its panel can no longer change.")


# --------------------------------------------------------------------------------------------
# Panels


def round_panels(award_round: AwardRound) -> list[Panel]:
    """The round's panels with their category, members and users (three queries)."""
    return list(
        db.session.execute(
            db.select(Panel)
            .where(Panel.round_id == award_round.id)
            .options(
                db.selectinload(Panel.members).joinedload(PanelMember.user),
                db.joinedload(Panel.category),
            )
            .order_by(Panel.name, Panel.id)
        )
        .unique()
        .scalars()
    )


def eligible_reviewers() -> list[User]:
    return list(
        db.session.execute(
            db.select(User)
            .where(User.is_reviewer.is_(True), User.active.is_(True))
            .order_by(User.name)
        ).scalars()
    )


def panel_chair(panel: Panel) -> PanelMember | None:
    return next((m for m in panel.members if m.role == PanelRole.CHAIR), None)


def _panel_snapshot(panel: Panel) -> dict:
    return {
        "name": panel.name,
        "category_id": panel.category_id,
        "members": sorted(
            ({"user_id": m.user_id, "role": m.role} for m in panel.members),
            key=lambda m: m["user_id"],
        ),
    }


def _check_panel(award_round: AwardRound, name: str, category: AwardCategory | None, panel_id):
    if not (name or "").strip():
        raise WorkflowError("Give the panel a name.", "name")
    if len(name.strip()) > 200:
        raise WorkflowError("The name is too long (200 characters at most).", "name")
    if category is not None and category.round_id != award_round.id:
        raise WorkflowError("Choose a category of this round.", "category_id")
    clash = db.session.execute(
        db.select(Panel.id).where(Panel.round_id == award_round.id, Panel.name == name.strip())
    ).scalar_one_or_none()
    if clash is not None and clash != panel_id:
        raise WorkflowError(f"This round already has a panel called {name.strip()}.", "name")


def _check_reviewer(user: User | None, field: str) -> User:
    if user is None:
        raise WorkflowError("Choose a person.", field)
    if not user.is_reviewer or not user.active:
        raise WorkflowError(
            f"{user.name} does not have the reviewer role; give it to them first (Users).", field
        )
    return user


def create_panel(
    award_round: AwardRound,
    *,
    name: str,
    chair: User | None,
    actor: User,
    category: AwardCategory | None = None,
) -> Panel:
    _require_admin(actor)
    _require_editable(award_round)
    name = clean_line(name)
    _check_panel(award_round, name, category, None)
    _check_reviewer(chair, "chair_id")
    panel = Panel(round_id=award_round.id, category=category, name=name.strip())
    panel.members = [PanelMember(user_id=chair.id, role=PanelRole.CHAIR)]
    db.session.add(panel)
    db.session.flush()
    audit.record(
        "panel.create", panel, actor=actor, after=_panel_snapshot(panel), round_id=award_round.id
    )
    sync_automatic_conflicts(award_round)  # who sits where decides the automatic conflicts
    db.session.commit()
    return panel


def update_panel(panel: Panel, *, name: str, category: AwardCategory | None, actor: User) -> Panel:
    _require_admin(actor)
    _require_editable(panel.round)
    name = clean_line(name)
    _check_panel(panel.round, name, category, panel.id)
    before = _panel_snapshot(panel)
    panel.name = name.strip()
    panel.category = category
    db.session.flush()
    old, new = audit.changed(before, _panel_snapshot(panel))
    if new:
        audit.record(
            "panel.update", panel, actor=actor, before=old, after=new, round_id=panel.round_id
        )
    sync_automatic_conflicts(panel.round)  # who sits where decides the automatic conflicts
    db.session.commit()
    return panel


def delete_panel(panel: Panel, *, actor: User) -> None:
    _require_admin(actor)
    _require_editable(panel.round)
    audit.record(
        "panel.delete", panel, actor=actor, before=_panel_snapshot(panel), round_id=panel.round_id
    )
    award_round = panel.round
    db.session.delete(panel)
    db.session.flush()
    sync_automatic_conflicts(award_round)
    db.session.commit()


def add_member(
    panel: Panel, user: User | None, *, actor: User, role: str = PanelRole.MEMBER
) -> PanelMember:
    _require_admin(actor)
    _require_editable(panel.round)
    user = _check_reviewer(user, "user_id")
    if role not in set(PanelRole):
        raise WorkflowError("Choose member or chair.", "role")
    if any(m.user_id == user.id for m in panel.members):
        raise WorkflowError(f"{user.name} is already on this panel.", "user_id")
    before = _panel_snapshot(panel)
    if role == PanelRole.CHAIR:
        for other in panel.members:
            other.role = PanelRole.MEMBER
    member = PanelMember(panel=panel, user_id=user.id, role=role)
    db.session.add(member)
    db.session.flush()
    old, new = audit.changed(before, _panel_snapshot(panel))
    audit.record(
        "panel.add_member", panel, actor=actor, before=old, after=new, round_id=panel.round_id
    )
    sync_automatic_conflicts(panel.round)  # who sits where decides the automatic conflicts
    db.session.commit()
    return member


def remove_member(member: PanelMember, *, actor: User) -> None:
    """Take someone off a panel. Their reviews stay stored but no longer count."""
    _require_admin(actor)
    panel = member.panel
    _require_editable(panel.round)
    if member.role == PanelRole.CHAIR:
        raise WorkflowError("Appoint another chair before removing the chair from the panel.")
    before = _panel_snapshot(panel)
    panel.members.remove(member)
    db.session.flush()
    old, new = audit.changed(before, _panel_snapshot(panel))
    audit.record(
        "panel.remove_member", panel, actor=actor, before=old, after=new, round_id=panel.round_id
    )
    sync_automatic_conflicts(panel.round)  # who sits where decides the automatic conflicts
    db.session.commit()


def make_chair(member: PanelMember, *, actor: User) -> PanelMember:
    """Appoint ``member`` chair; the previous chair stays on the panel as a member."""
    _require_admin(actor)
    panel = member.panel
    _require_editable(panel.round)
    if member.role == PanelRole.CHAIR:
        return member
    _check_reviewer(member.user, "user_id")
    before = _panel_snapshot(panel)
    for other in panel.members:
        other.role = PanelRole.CHAIR if other is member else PanelRole.MEMBER
    db.session.flush()
    old, new = audit.changed(before, _panel_snapshot(panel))
    audit.record("panel.chair", panel, actor=actor, before=old, after=new, round_id=panel.round_id)
    db.session.commit()
    return member


# --------------------------------------------------------------------------------------------
# Rubric

CRITERION_FIELDS = ("name", "guidance", "weight", "scale_min", "scale_max", "position")


@dataclass
class CriterionData:
    name: str
    weight: float = 1.0
    scale_min: int = 1
    scale_max: int = 7
    guidance: str = ""


def category_criteria(category: AwardCategory) -> list[Criterion]:
    return list(
        db.session.execute(
            db.select(Criterion)
            .where(Criterion.category_id == category.id)
            .order_by(Criterion.position, Criterion.id)
        ).scalars()
    )


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
        return "The round's results are published."
    if reviewing_started(category):
        return "Reviewing has started in this category: every review uses the same rubric."
    return None


def _require_rubric_editable(category: AwardCategory) -> None:
    reason = rubric_lock_reason(category)
    if reason:
        raise WorkflowError(f"The rubric can no longer be changed. {reason}")


def _validate_criterion(category: AwardCategory, data: CriterionData, criterion_id) -> None:
    name = (data.name or "").strip()
    if not name:
        raise WorkflowError("Give the criterion a name.", "name")
    if len(name) > 200:
        raise WorkflowError("The name is too long (200 characters at most).", "name")
    if len(data.guidance or "") > 2000:
        raise WorkflowError("The guidance is too long (2000 characters at most).", "guidance")
    if data.weight is None or not 0 < data.weight <= MAX_WEIGHT:
        raise WorkflowError(f"The weight must be above 0 and at most {MAX_WEIGHT:g}.", "weight")
    low, high = SCALE_BOUNDS
    if data.scale_min is None or not low <= data.scale_min <= high:
        raise WorkflowError(f"The lowest score must be between {low} and {high}.", "scale_min")
    if data.scale_max is None or not low <= data.scale_max <= high:
        raise WorkflowError(f"The highest score must be between {low} and {high}.", "scale_max")
    if data.scale_max <= data.scale_min:
        raise WorkflowError("The highest score must be above the lowest.", "scale_max")
    clash = db.session.execute(
        db.select(Criterion.id).where(Criterion.category_id == category.id, Criterion.name == name)
    ).scalar_one_or_none()
    if clash is not None and clash != criterion_id:
        raise WorkflowError(f"This category already has a criterion called {name}.", "name")


def _clean_criterion(data: CriterionData) -> CriterionData:
    return replace(data, name=clean_line(data.name), guidance=clean(data.guidance, multiline=True))


def add_criterion(category: AwardCategory, data: CriterionData, *, actor: User) -> Criterion:
    _require_admin(actor)
    _require_rubric_editable(category)
    data = _clean_criterion(data)
    _validate_criterion(category, data, None)
    position = 1 + max((c.position for c in category_criteria(category)), default=-1)
    criterion = Criterion(
        category_id=category.id,
        position=position,
        name=data.name.strip(),
        guidance=(data.guidance or "").strip(),
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
    db.session.commit()
    return criterion


def update_criterion(criterion: Criterion, data: CriterionData, *, actor: User) -> Criterion:
    _require_admin(actor)
    category = criterion.category
    _require_rubric_editable(category)
    data = _clean_criterion(data)
    _validate_criterion(category, data, criterion.id)
    before = audit.snapshot(criterion, CRITERION_FIELDS)
    criterion.name = data.name.strip()
    criterion.guidance = (data.guidance or "").strip()
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
    db.session.commit()
    return criterion


def delete_criterion(criterion: Criterion, *, actor: User) -> None:
    _require_admin(actor)
    category = criterion.category
    _require_rubric_editable(category)
    if len(category_criteria(category)) <= 1:
        raise WorkflowError("A rubric needs at least one criterion.")
    audit.record(
        "criterion.delete",
        criterion,
        actor=actor,
        before=audit.snapshot(criterion, CRITERION_FIELDS),
        round_id=category.round_id,
    )
    db.session.delete(criterion)
    db.session.commit()
