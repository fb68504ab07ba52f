"""Admin: users and their roles."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import COOKIE_NAME, current_user, login_user

from nominations.admin import bp
from nominations.admin.acting import act_after_asking
from nominations.admin.forms import UserForm
from nominations.admin.panel_forms import ActionForm
from nominations.confirming import Question, asks
from nominations.forms import add_error, refuse
from nominations.models import Department, User, db
from nominations.workflow import WorkflowError
from nominations.workflow.accounts import (
    create_user,
    deactivate_user,
    reactivate_user,
    role_names,
    update_user,
)


def _department_choices() -> list[tuple[int, str]]:
    departments = db.session.execute(db.select(Department).order_by(Department.name)).scalars()
    return [(0, _("(none)"))] + [(d.id, d.name) for d in departments]


def _department(form: UserForm) -> Department | None:
    return db.session.get(Department, form.department_id.data) if form.department_id.data else None


@bp.route("/users")
def users():
    query = request.args.get("q", "").strip()
    statement = db.select(User).options(db.joinedload(User.department)).order_by(User.name)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            db.or_(db.func.lower(User.name).like(pattern), User.email.like(pattern))
        )
    page = db.paginate(statement, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/users.html", page=page, query=query)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    form.department_id.choices = _department_choices()
    if form.validate_on_submit():
        if not form.password.data:
            add_error(form, "password", _("Set a first password (at least 8 characters)."))
        else:
            try:
                user = create_user(
                    email=form.email.data,
                    name=form.name.data,
                    password=form.password.data,
                    department=_department(form),
                    is_staff=form.is_staff.data,
                    is_reviewer=form.is_reviewer.data,
                    is_admin=form.is_admin.data,
                    active=form.active.data,
                    actor=current_user,
                )
            except WorkflowError as error:
                add_error(form, error.field, error.message)
            else:
                flash(
                    _("User %(name)s (%(email)s) created.", name=user.name, email=user.email),
                    "success",
                )
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user)
    # Whether the person may sign in changes with the deactivate and reactivate buttons.
    del form.active
    form.department_id.choices = _department_choices()
    if request.method == "GET":
        form.department_id.data = user.department_id or 0
    # The e-mail identifies the account; it is shown, not edited.
    form.email.data = user.email
    if form.validate_on_submit():
        own_version = user.session_version if user.id == current_user.id else None
        try:
            update_user(
                user,
                actor=current_user,
                name=form.name.data,
                department=_department(form),
                is_staff=form.is_staff.data,
                is_reviewer=form.is_reviewer.data,
                is_admin=form.is_admin.data,
                active=user.active,
                password=form.password.data or None,
            )
        except WorkflowError as error:
            refuse(error, form)
        else:
            if own_version is not None and user.session_version != own_version:
                # A new password of one's own ends one's other sessions, not this one.
                remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
                login_user(user, remember=remember_cookie in request.cookies)
            flash(_("Saved %(name)s.", name=user.name), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, action_form=ActionForm())


@asks("admin.deactivate_account")
def _deactivating(user: User) -> Question:
    return Question(
        _("Deactivate %(name)s?", name=user.name),
        _("They are signed out now and cannot sign in until reactivated."),
        _("Deactivate %(name)s", name=user.name),
        url_for("admin.edit_user", user_id=user.id),
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate_account(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    return act_after_asking(
        user,
        lambda: deactivate_user(user, actor=current_user),
        _("%(name)s is deactivated and signed out everywhere.", name=user.name),
        url_for("admin.edit_user", user_id=user_id),
    )


@asks("admin.reactivate_account")
def _reactivating(user: User) -> Question:
    return Question(
        _("Reactivate %(name)s?", name=user.name),
        _("They can sign in again with the roles they have."),
        _("Reactivate %(name)s", name=user.name),
        url_for("admin.edit_user", user_id=user.id),
    )


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate_account(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    return act_after_asking(
        user,
        lambda: reactivate_user(user, actor=current_user),
        _("%(name)s is active again and can sign in.", name=user.name),
        url_for("admin.edit_user", user_id=user_id),
    )


@bp.app_template_filter("role_names")
def role_names_filter(roles) -> str:
    """{{ user.roles|role_names }}: "staff, reviewer" in the reader's language."""
    return role_names(roles)
