"""Admin: review panels of a round and the rubric of each category."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nominations.admin import bp
from nominations.admin.acting import act_after_asking
from nominations.admin.panel_forms import (
    ActionForm,
    CriterionForm,
    MemberForm,
    PanelEditForm,
    PanelForm,
)
from nominations.confirming import Question, ask_first, asks
from nominations.forms import refuse
from nominations.languages import localized
from nominations.models import (
    AwardCategory,
    AwardRound,
    Criterion,
    Panel,
    PanelMember,
    RoundStatus,
    User,
    db,
)
from nominations.workflow import WorkflowError
from nominations.workflow.panels import (
    add_member,
    create_panel,
    delete_panel,
    eligible_reviewers,
    make_chair,
    panel_with_members,
    remove_member,
    round_panels,
    update_panel,
)
from nominations.workflow.rubric import (
    CriterionData,
    add_criterion,
    categories_with_reviews,
    category_criteria,
    delete_criterion,
    round_criteria,
    rubric_lock_reason,
    update_criterion,
)


@dataclass
class PanelOverview:
    panels: list[Panel]
    criteria: dict[int, list[Criterion]]
    locked: set[int]


def round_panel_overview(award_round: AwardRound) -> PanelOverview:
    """What the round page's panel section shows, in a fixed number of queries."""
    return PanelOverview(
        round_panels(award_round), round_criteria(award_round), categories_with_reviews(award_round)
    )


@bp.context_processor
def panel_helpers() -> dict:
    return {"round_panel_overview": round_panel_overview}


def _category_choices(award_round: AwardRound) -> list[tuple[int, str]]:
    return [(0, _("Every category of the round"))] + [
        (c.id, localized(c, "name")) for c in award_round.categories
    ]


def _reviewer_choices(exclude: set[int] | None = None) -> list[tuple[int, str]]:
    exclude = exclude or set()
    return [(0, "—")] + [
        (u.id, f"{u.name} ({u.email})") for u in eligible_reviewers() if u.id not in exclude
    ]


def _category(award_round: AwardRound, category_id: int | None) -> AwardCategory | None:
    if not category_id:
        return None
    category = db.session.get(AwardCategory, category_id)
    return category if category is not None and category.round_id == award_round.id else None


@bp.route("/rounds/<int:round_id>/panels/new", methods=["GET", "POST"])
def new_panel(round_id: int):
    award_round = db.session.get(AwardRound, round_id) or abort(404)
    form = PanelForm()
    form.category_id.choices = _category_choices(award_round)
    form.chair_id.choices = _reviewer_choices()
    if form.validate_on_submit():
        try:
            panel = create_panel(
                award_round,
                name=form.name.data,
                category=_category(award_round, form.category_id.data),
                chair=db.session.get(User, form.chair_id.data),
                actor=current_user,
            )
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_("Panel %(name)s created; now add its members.", name=panel.name), "success")
            return redirect(url_for("admin.panel_detail", panel_id=panel.id))
    return render_template("admin/panel_form.html", form=form, award_round=award_round)


def _panel_page(panel: Panel, member_form=None, edit_form=None):
    award_round = panel.round
    member_form = member_form or MemberForm()
    member_form.user_id.choices = _reviewer_choices({m.user_id for m in panel.members})
    if edit_form is None:
        edit_form = PanelEditForm(
            name=panel.name, category_id=panel.category_id or 0, formdata=None
        )
    edit_form.category_id.choices = _category_choices(award_round)
    members = sorted(panel.members, key=lambda m: (m.role != "chair", m.user.name.casefold()))
    return render_template(
        "admin/panel_detail.html",
        panel=panel,
        award_round=award_round,
        members=members,
        member_form=member_form,
        edit_form=edit_form,
        action_form=ActionForm(),
        editable=award_round.status != RoundStatus.PUBLISHED,
    )


def _get_panel(panel_id: int) -> Panel:
    return panel_with_members(panel_id) or abort(404)


@bp.route("/panels/<int:panel_id>")
def panel_detail(panel_id: int):
    return _panel_page(_get_panel(panel_id))


@bp.route("/panels/<int:panel_id>/edit", methods=["POST"])
def edit_panel(panel_id: int):
    panel = _get_panel(panel_id)
    form = PanelEditForm()
    form.category_id.choices = _category_choices(panel.round)
    if form.validate_on_submit():
        try:
            update_panel(
                panel,
                name=form.name.data,
                category=_category(panel.round, form.category_id.data),
                actor=current_user,
            )
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_("Saved panel %(name)s.", name=panel.name), "success")
            return redirect(url_for("admin.panel_detail", panel_id=panel.id))
    return _panel_page(panel, edit_form=form)


@bp.route("/panels/<int:panel_id>/members", methods=["POST"])
def add_panel_member(panel_id: int):
    panel = _get_panel(panel_id)
    form = MemberForm()
    form.user_id.choices = _reviewer_choices({m.user_id for m in panel.members})
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        try:
            add_member(panel, user, role=form.role.data, actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(
                _("%(person)s added to %(panel)s.", person=user.name, panel=panel.name), "success"
            )
            return redirect(url_for("admin.panel_detail", panel_id=panel.id))
    return _panel_page(panel, member_form=form)


def _member_action(member_id: int, action, message, *, ask: bool = False):
    """``message(name)``: the flash message once ``action`` went through."""
    member = db.session.get(PanelMember, member_id) or abort(404)
    panel_id, name = member.panel_id, member.user.name
    if ActionForm().validate_on_submit():
        try:
            action(member, actor=current_user)
        except WorkflowError as error:
            refuse(error)
        else:
            if ask and (page := ask_first(member)) is not None:
                return page
            flash(message(name), "success")
    return redirect(url_for("admin.panel_detail", panel_id=panel_id))


@asks("admin.remove_panel_member")
def _removing_member(member: PanelMember) -> Question:
    return Question(
        _(
            "Remove %(person)s from the panel %(panel)s?",
            person=member.user.name,
            panel=member.panel.name,
        ),
        _("Their reviews stop counting."),
        _("Remove %(person)s", person=member.user.name),
        url_for("admin.panel_detail", panel_id=member.panel_id),
    )


@bp.route("/panel-members/<int:member_id>/remove", methods=["POST"])
def remove_panel_member(member_id: int):
    return _member_action(
        member_id,
        remove_member,
        lambda name: _("%(name)s is no longer on the panel.", name=name),
        ask=True,
    )


@bp.route("/panel-members/<int:member_id>/chair", methods=["POST"])
def make_panel_chair(member_id: int):
    return _member_action(
        member_id, make_chair, lambda name: _("%(name)s chairs the panel now.", name=name)
    )


@asks("admin.delete_panel_view")
def _deleting_panel(panel: Panel) -> Question:
    return Question(
        _("Delete the panel %(name)s?", name=panel.name),
        _(
            "Its members no longer review the categories it covers through it; reviews already "
            "written stay stored."
        ),
        _("Delete the panel"),
        url_for("admin.panel_detail", panel_id=panel.id),
    )


@bp.route("/panels/<int:panel_id>/delete", methods=["POST"])
def delete_panel_view(panel_id: int):
    panel = _get_panel(panel_id)
    round_id, name = panel.round_id, panel.name
    if ActionForm().validate_on_submit():
        try:
            delete_panel(panel, actor=current_user)
        except WorkflowError as error:
            refuse(error)
            return redirect(url_for("admin.panel_detail", panel_id=panel_id))
        if (page := ask_first(panel)) is not None:
            return page
        flash(_("Panel %(name)s deleted.", name=name), "success")
    return redirect(url_for("admin.round_detail", round_id=round_id))


# --------------------------------------------------------------------------------------------
# Rubric


def _criterion_data(form: CriterionForm) -> CriterionData:
    return CriterionData(
        name=form.name.data or "",
        name_nb=form.name_nb.data or "",
        guidance=form.guidance.data or "",
        guidance_nb=form.guidance_nb.data or "",
        weight=form.weight.data,
        scale_min=form.scale_min.data,
        scale_max=form.scale_max.data,
    )


@bp.route("/categories/<int:category_id>/rubric", methods=["GET", "POST"])
def rubric(category_id: int):
    category = db.session.get(AwardCategory, category_id) or abort(404)
    form = CriterionForm()
    if form.validate_on_submit():
        try:
            criterion = add_criterion(category, _criterion_data(form), actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_("Criterion %(name)s added.", name=localized(criterion, "name")), "success")
            return redirect(url_for("admin.rubric", category_id=category.id))
    return render_template(
        "admin/rubric.html",
        category=category,
        award_round=category.round,
        criteria=category_criteria(category),
        locked=rubric_lock_reason(category),
        form=form,
        action_form=ActionForm(),
    )


@bp.route("/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
def edit_criterion(criterion_id: int):
    criterion = db.session.get(Criterion, criterion_id) or abort(404)
    form = CriterionForm(obj=criterion)
    if form.validate_on_submit():
        try:
            update_criterion(criterion, _criterion_data(form), actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_("Saved criterion %(name)s.", name=localized(criterion, "name")), "success")
            return redirect(url_for("admin.rubric", category_id=criterion.category_id))
    return render_template(
        "admin/criterion_form.html",
        form=form,
        criterion=criterion,
        category=criterion.category,
        locked=rubric_lock_reason(criterion.category),
    )


@asks("admin.delete_criterion_view")
def _removing_criterion(criterion: Criterion) -> Question:
    return Question(
        _("Remove the criterion %(name)s?", name=localized(criterion, "name")),
        _(
            "Reviewers of %(category)s no longer score it.",
            category=localized(criterion.category, "name"),
        ),
        _("Remove the criterion"),
        url_for("admin.rubric", category_id=criterion.category_id),
    )


@bp.route("/criteria/<int:criterion_id>/delete", methods=["POST"])
def delete_criterion_view(criterion_id: int):
    criterion = db.session.get(Criterion, criterion_id) or abort(404)
    return act_after_asking(
        criterion,
        lambda: delete_criterion(criterion, actor=current_user),
        _("Criterion %(name)s removed.", name=localized(criterion, "name")),
        url_for("admin.rubric", category_id=criterion.category_id),
    )
