"""Review panels (admins): who sits on which panel of a round, and who chairs it.

A round has one or more panels; a panel with a category covers that category only, without
one every category of the round. Members need the reviewer role. Every panel has exactly one
chair: a panel is created with its chair, appointing another chair makes the previous one an
ordinary member, and the chair cannot be removed (appoint another first). A user may sit on
several panels of a round; what they see is the union. Who sits where decides the automatic
conflicts, so every change here re-derives them. The rubric is in ``rubric.py``.
"""

from __future__ import annotations

from flask_babel import gettext as _

from nominations import policy
from nominations.models import (
    AwardCategory,
    AwardRound,
    Panel,
    PanelMember,
    PanelRole,
    RoundStatus,
    User,
    db,
)
from nominations.workflow import audit
from nominations.workflow.conflicts import sync_automatic_conflicts
from nominations.workflow.errors import WorkflowError
from nominations.workflow.text import clean_line


def require_admin(actor: User) -> None:
    policy.authorize("panel.manage", actor)


def _require_editable(award_round: AwardRound) -> None:
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(_("The round's results are published; its panel can no longer change."))


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


def panel_with_members(panel_id: int) -> Panel | None:
    """The panel with its members and their users loaded (None: no such panel)."""
    return db.session.execute(
        db.select(Panel)
        .where(Panel.id == panel_id)
        .options(db.selectinload(Panel.members).joinedload(PanelMember.user))
    ).scalar_one_or_none()


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
        raise WorkflowError(_("Give the panel a name."), "name")
    if len(name.strip()) > 200:
        raise WorkflowError(
            _("The name is too long (%(num)d characters at most).", num=200), "name"
        )
    if category is not None and category.round_id != award_round.id:
        raise WorkflowError(_("Choose a category of this round."), "category_id")
    clash = db.session.execute(
        db.select(Panel.id).where(Panel.round_id == award_round.id, Panel.name == name.strip())
    ).scalar_one_or_none()
    if clash is not None and clash != panel_id:
        raise WorkflowError(
            _("This round already has a panel called %(name)s.", name=name.strip()), "name"
        )


def _check_reviewer(user: User | None, field: str) -> User:
    if user is None:
        raise WorkflowError(_("Choose a person."), field)
    if not user.is_reviewer or not user.active:
        raise WorkflowError(
            _(
                "%(name)s does not have the reviewer role; give it to them first (Users).",
                name=user.name,
            ),
            field,
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
    require_admin(actor)
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
    return panel


def update_panel(panel: Panel, *, name: str, category: AwardCategory | None, actor: User) -> Panel:
    require_admin(actor)
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
    return panel


def delete_panel(panel: Panel, *, actor: User) -> None:
    require_admin(actor)
    _require_editable(panel.round)
    audit.record(
        "panel.delete", panel, actor=actor, before=_panel_snapshot(panel), round_id=panel.round_id
    )
    award_round = panel.round
    db.session.delete(panel)
    db.session.flush()
    sync_automatic_conflicts(award_round)


def add_member(
    panel: Panel, user: User | None, *, actor: User, role: str = PanelRole.MEMBER
) -> PanelMember:
    require_admin(actor)
    _require_editable(panel.round)
    user = _check_reviewer(user, "user_id")
    if role not in set(PanelRole):
        raise WorkflowError(_("Choose member or chair."), "role")
    if any(m.user_id == user.id for m in panel.members):
        raise WorkflowError(_("%(name)s is already on this panel.", name=user.name), "user_id")
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
    return member


def remove_member(member: PanelMember, *, actor: User) -> None:
    """Take someone off a panel. Their reviews stay stored but no longer count."""
    require_admin(actor)
    panel = member.panel
    _require_editable(panel.round)
    if member.role == PanelRole.CHAIR:
        raise WorkflowError(_("Appoint another chair before removing the chair from the panel."))
    before = _panel_snapshot(panel)
    panel.members.remove(member)
    db.session.flush()
    old, new = audit.changed(before, _panel_snapshot(panel))
    audit.record(
        "panel.remove_member", panel, actor=actor, before=old, after=new, round_id=panel.round_id
    )
    sync_automatic_conflicts(panel.round)  # who sits where decides the automatic conflicts


def make_chair(member: PanelMember, *, actor: User) -> PanelMember:
    """Appoint ``member`` chair; the previous chair stays on the panel as a member."""
    require_admin(actor)
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
    return member
