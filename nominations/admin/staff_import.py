"""Admin: import staff and departments from an HR export (CSV or XLSX).

Upload, then a preview (per-row errors, who is created, changed, deactivated), then confirm.
The confirmation carries the rows read from the file in a signed field, so nothing is stored
between the two steps; ``workflow/staff_import.py`` plans again and stores all or nothing.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import BooleanField, HiddenField, SubmitField

from nominations.admin import bp
from nominations.forms import add_error
from nominations.models import db
from nominations.policy import authorize
from nominations.workflow import WorkflowError
from nominations.workflow.staff_file import RawRow, StaffFileError, read_staff_file
from nominations.workflow.staff_import import ImportPlan, apply_import, plan_import

SALT = "staff-import"


class UploadForm(FlaskForm):
    file = FileField(
        _l("HR export (CSV or XLSX)"),
        validators=[FileRequired(_l("Choose the file to import."))],
        description=_l("First row: Name, E-mail, Department, Role (role may be empty: staff)."),
    )
    full = BooleanField(
        _l("Full import: deactivate everyone who is not in the file"),
        description=_l(
            "They can no longer sign in; you see who they are before anything "
            "changes. Your own account is never deactivated."
        ),
    )
    submit = SubmitField(_l("Preview the import"))


class ConfirmForm(FlaskForm):
    rows = HiddenField()
    fingerprint = HiddenField()
    submit = SubmitField(_l("Import"))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def _pack(rows: list[RawRow], full: bool) -> str:
    return _serializer().dumps(
        {"full": full, "rows": [[r.line, r.name, r.email, r.department, r.role] for r in rows]}
    )


def _unpack(token: str) -> tuple[list[RawRow], bool]:
    data = _serializer().loads(token or "")
    return [RawRow(*values) for values in data["rows"]], bool(data["full"])


def _preview(plan: ImportPlan, rows: list[RawRow], status: int = 200):
    confirm = ConfirmForm(formdata=None)
    confirm.rows.data = _pack(rows, plan.full)
    confirm.fingerprint.data = plan.fingerprint
    return render_template("admin/staff_import_preview.html", plan=plan, confirm=confirm), status


@bp.route("/staff-import", methods=["GET", "POST"])
def staff_import():
    authorize("staff.import", current_user)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = read_staff_file(upload.filename, upload.read())
        except StaffFileError as error:
            add_error(form, "file", str(error))
        else:
            plan = plan_import(rows, actor=current_user, full=form.full.data)
            return _preview(plan, rows)
    return render_template("admin/staff_import.html", form=form)


@bp.route("/staff-import/confirm", methods=["POST"])
def confirm_staff_import():
    authorize("staff.import", current_user)
    form = ConfirmForm()
    try:
        rows, full = _unpack(form.rows.data)
    except (BadSignature, KeyError, TypeError, ValueError):
        flash(_("The import could not be read back; upload the file again."), "danger")
        return redirect(url_for("admin.staff_import"))
    if not form.validate_on_submit():
        return redirect(url_for("admin.staff_import"))
    try:
        plan = apply_import(rows, actor=current_user, full=full, fingerprint=form.fingerprint.data)
    except WorkflowError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _preview(plan_import(rows, actor=current_user, full=full), rows, 409)
    flash(
        _(
            "Imported: %(added)d people added, %(updated)d updated, %(unchanged)d unchanged, "
            "%(departments)d departments added, %(deactivated)d deactivated.",
            added=plan.counted("create"),
            updated=plan.counted("update"),
            unchanged=plan.counted("unchanged"),
            departments=len(plan.new_departments),
            deactivated=len(plan.deactivate),
        ),
        "success",
    )
    return redirect(url_for("admin.users"))
