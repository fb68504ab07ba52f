"""Admin: import a person's publication list (CSV, BibTeX or RIS), see it, correct it.

Upload with the person's e-mail address, then a preview (each entry: new, attached already,
or its problem with the line), then the import. The confirmation carries the entries read
from the file in a signed field, so nothing is stored between the two steps;
``workflow/publications/importing.py`` plans again and attaches what is new. A person's list
(``/admin/publications/held?email=``) shows what is attached; an entry that is not theirs is
taken off it there (``workflow/publications/holdings.py``).
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import EmailField, HiddenField, SubmitField
from wtforms.validators import DataRequired, Length

from nominations.admin import bp
from nominations.admin.acting import act_after_asking
from nominations.admin.panel_forms import ActionForm
from nominations.confirming import Question, asks
from nominations.forms import add_error
from nominations.models import PublicationHolder, db
from nominations.policy import authorize
from nominations.workflow import WorkflowError
from nominations.workflow.publications.holdings import held_by, remove_holding
from nominations.workflow.publications.importing import apply_import, person_email, plan_import
from nominations.workflow.publications.parsers import (
    Entry,
    ParsedFile,
    PublicationFileError,
    read_publication_file,
)

SALT = "publication-import"


class PublicationUploadForm(FlaskForm):
    email = EmailField(
        _l("The person's e-mail address"),
        validators=[DataRequired(_l("Enter the person's e-mail address.")), Length(max=254)],
        description=_l("A reviewer's account address, or a nominee's as the nominations give it."),
    )
    file = FileField(
        _l("Publication list (CSV, BibTeX or RIS)"),
        validators=[FileRequired(_l("Choose the file to import."))],
        description=_l(
            "CSV: a first row naming the columns Title, Year and DOI. BibTeX (.bib) and RIS "
            "(.ris) as the research registry and ORCID export them."
        ),
    )
    submit = SubmitField(_l("Preview the import"))


class PublicationConfirmForm(FlaskForm):
    payload = HiddenField()
    submit = SubmitField(_l("Import"))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def _pack(email: str, source: str, entries: list[Entry]) -> str:
    rows = [[e.line, e.title, e.year, e.doi] for e in entries]
    return _serializer().dumps({"email": email, "source": source, "entries": rows})


def _unpack(token: str) -> tuple[str, str, list[Entry]]:
    data = _serializer().loads(token or "")
    entries = [Entry(int(a), str(b), int(c), str(d)) for a, b, c, d in data["entries"]]
    return str(data["email"]), str(data["source"]), entries


@bp.route("/publications", methods=["GET", "POST"])
def publications_import():
    authorize("publication.import", current_user)
    form = PublicationUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        source = upload.filename or ""
        try:
            parsed = read_publication_file(source, upload.read())
            plan = plan_import(parsed.entries, form.email.data, actor=current_user)
        except PublicationFileError as error:
            add_error(form, "file", error.message)
        except WorkflowError as error:
            add_error(form, error.field, error.message)
        else:
            return _preview(parsed, plan, source)
    return render_template("admin/publications.html", form=form)


def _preview(parsed: ParsedFile, plan, source: str):
    confirm = PublicationConfirmForm(formdata=None)
    confirm.payload.data = _pack(plan.email, source, parsed.entries)
    return render_template(
        "admin/publications_preview.html",
        parsed=parsed,
        plan=plan,
        source=source,
        known=set(plan.known),
        confirm=confirm,
    )


@bp.route("/publications/confirm", methods=["POST"])
def confirm_publications_import():
    authorize("publication.import", current_user)
    form = PublicationConfirmForm()
    try:
        email, source, entries = _unpack(form.payload.data)
    except (BadSignature, KeyError, TypeError, ValueError):
        flash(_("The import could not be read back; upload the file again."), "danger")
        return redirect(url_for("admin.publications_import"))
    if not form.validate_on_submit():
        return redirect(url_for("admin.publications_import"))
    plan = apply_import(entries, email, source, actor=current_user)
    if plan.new:
        message = _(
            "%(added)d publications attached to %(email)s; %(known)d were there already.",
            added=len(plan.new),
            email=plan.email,
            known=len(plan.known),
        )
    else:
        message = _(
            "Nothing changed: all %(num)d publications were attached to %(email)s already.",
            num=len(plan.known),
            email=plan.email,
        )
    flash(message, "success" if plan.new else "info")
    return redirect(url_for("admin.publications_held", email=plan.email))


@bp.route("/publications/held")
def publications_held():
    """The publications attached to the address asked for (a GET form; reads only)."""
    typed = request.args.get("email", "").strip()[:254]
    email, problem = "", None
    if typed:
        try:
            email = person_email(typed)
        except WorkflowError as error:
            problem = error.message
    return render_template(
        "admin/publications_held.html",
        typed=typed,
        email=email,
        problem=problem,
        holdings=held_by(email) if email else [],
        action_form=ActionForm(),
    )


@asks("admin.remove_publication")
def _removing(holder: PublicationHolder) -> Question:
    return Question(
        _(
            "Remove “%(title)s” from the list of %(email)s?",
            title=holder.publication.title,
            email=holder.email,
        ),
        _(
            "No co-authorship conflict is proposed from it any more. Conflicts the chair has "
            "already accepted stay."
        ),
        _("Remove it from the list"),
        url_for("admin.publications_held", email=holder.email),
    )


@bp.route("/publications/held/<int:holder_id>/remove", methods=["POST"])
def remove_publication(holder_id: int):
    holder = db.session.get(PublicationHolder, holder_id) or abort(404)
    return act_after_asking(
        holder,
        lambda: remove_holding(holder, actor=current_user),
        _(
            "“%(title)s” is removed from the list of %(email)s.",
            title=holder.publication.title,
            email=holder.email,
        ),
        url_for("admin.publications_held", email=holder.email),
    )
