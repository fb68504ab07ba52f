"""Admin: departments (create, rename, merge, deactivate); the changes are
``workflow/departments.py``."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from nominations.admin import bp
from nominations.forms import refuse
from nominations.models import Department, db
from nominations.workflow import WorkflowError
from nominations.workflow.departments import (
    MAX_NAME,
    active_departments,
    create_department,
    department_rows,
    merge_departments,
    rename_department,
    set_department_active,
)


class DepartmentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    submit = SubmitField(_l("Save department"))


class MergeForm(FlaskForm):
    into_id = SelectField(_l("Merge into"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Merge"))


class ActiveForm(FlaskForm):
    active = HiddenField()


def _department(department_id: int) -> Department:
    return db.session.get(Department, department_id) or abort(404)


@bp.route("/departments", methods=["GET", "POST"])
def departments():
    form = DepartmentForm()
    form.submit.label.text = _("Add department")
    if form.validate_on_submit():
        try:
            department = create_department(form.name.data, actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_("Department %(name)s added.", name=department.name), "success")
            return redirect(url_for("admin.departments"))
    return render_template("admin/departments.html", rows=department_rows(), form=form)


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def edit_department(department_id: int):
    department = _department(department_id)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        old_name = department.name
        try:
            rename_department(department, form.name.data, actor=current_user)
        except WorkflowError as error:
            refuse(error, form)
        else:
            flash(_("%(old)s is now called %(new)s.", old=old_name, new=department.name), "success")
            return redirect(url_for("admin.departments"))
    return _edit_page(department, form, MergeForm(prefix="merge"))


def _edit_page(department: Department, form: DepartmentForm, merge: MergeForm):
    merge.into_id.choices = [(0, _("Choose a department…"))] + [
        (d.id, d.name) for d in active_departments() if d.id != department.id
    ]
    row = next(r for r in department_rows() if r.department.id == department.id)
    return render_template(
        "admin/department_form.html",
        department=department,
        row=row,
        form=form,
        merge=merge,
        active_form=ActiveForm(),
    )


@bp.route("/departments/<int:department_id>/merge", methods=["POST"])
def merge_department(department_id: int):
    department = _department(department_id)
    merge = MergeForm(prefix="merge")
    merge.into_id.choices = [(d.id, d.name) for d in active_departments()]
    if merge.validate_on_submit():
        into = db.session.get(Department, merge.into_id.data)
        name = department.name
        try:
            counts = merge_departments(department, into, actor=current_user)
        except WorkflowError as error:
            refuse(error, merge)
        else:
            flash(
                _(
                    "%(old)s merged into %(new)s: %(people)d people and %(nominations)d "
                    "nominations moved.",
                    old=name,
                    new=into.name,
                    people=counts["people"],
                    nominations=counts["nominations"],
                ),
                "success",
            )
            return redirect(url_for("admin.departments"))
    elif not merge.errors.get("csrf_token"):
        merge.into_id.errors = [_("Choose the department to merge into.")]
    return _edit_page(department, DepartmentForm(obj=department), merge)


@bp.route("/departments/<int:department_id>/active", methods=["POST"])
def department_active(department_id: int):
    department = _department(department_id)
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        flash(_("Nothing changed: use the button on this page."), "warning")
        return redirect(url_for("admin.edit_department", department_id=department.id))
    set_department_active(department, form.active.data == "1", actor=current_user)
    if department.active:
        flash(_("%(name)s reactivated.", name=department.name), "success")
    else:
        flash(_("%(name)s deactivated.", name=department.name), "success")
    return redirect(url_for("admin.edit_department", department_id=department.id))
