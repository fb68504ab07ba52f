"""Admin: the e-mail texts administrators own: the list of kinds, the editor of one kind in
one language (placeholders beside it, a preview with sample data) and the reset."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from nominations.admin import bp
from nominations.forms import refuse
from nominations.languages import LANGUAGES, in_language
from nominations.mail import texts
from nominations.models import EmailText, db
from nominations.workflow import NotFound, WorkflowError
from nominations.workflow.email_texts import check_text, kind_of, reset_text, save_text, stored


class EmailTextForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=500)])
    body = TextAreaField(
        _l("Message (plain text)"),
        validators=[InputRequired(), Length(max=20_000)],
        description=_l(
            "Placeholders in double braces, e.g. {{ name }}. A blank line starts a new "
            "paragraph; web addresses become links in the HTML version. The footer is added."
        ),
        render_kw={"rows": 16, "spellcheck": "true"},
    )
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class ResetForm(FlaskForm):
    pass


@bp.get("/email-texts")
def email_texts():
    rows = db.session.execute(db.select(EmailText)).scalars()
    edited = {(row.kind, row.language): row for row in rows}
    return render_template(
        "admin/email_texts.html",
        kinds=list(texts.KINDS.values()),
        edited=edited,
        languages=LANGUAGES,
    )


def _kind(key: str, language: str) -> texts.Kind:
    try:
        return kind_of(key, language)
    except NotFound:
        abort(404)


@bp.route("/email-texts/<kind>/<language>", methods=["GET", "POST"])
def edit_email_text(kind: str, language: str):
    entry_kind = _kind(kind, language)
    entry = stored(kind, language)
    form = EmailTextForm()
    if not form.is_submitted():
        form.subject.data, form.body.data = texts.current_source(entry_kind, language, entry)
    sample = None
    if form.validate_on_submit():
        if form.save.data:
            try:
                changed = save_text(
                    kind, language, form.subject.data, form.body.data, actor=current_user
                )
            except WorkflowError as error:
                refuse(error, form)
            else:
                flash(
                    _("The e-mail text is saved; messages queued from now on use it.")
                    if changed
                    else _("Nothing changed."),
                    "success" if changed else "info",
                )
                return redirect(url_for("admin.edit_email_text", kind=kind, language=language))
        else:  # the preview of what was typed, nothing stored
            try:
                check_text(entry_kind, form.subject.data, form.body.data)
            except WorkflowError as error:
                refuse(error, form)
            else:
                sample = texts.preview(entry_kind, language, form.subject.data, form.body.data)
    elif not form.is_submitted():
        sample = texts.preview(entry_kind, language, form.subject.data, form.body.data)
    with_samples = _samples(entry_kind, language)
    return render_template(
        "admin/email_text_form.html",
        kind=entry_kind,
        language=language,
        languages=LANGUAGES,
        entry=entry,
        form=form,
        reset_form=ResetForm(),
        sample=sample,
        samples=with_samples,
    )


def _samples(kind: texts.Kind, language: str) -> dict:
    with in_language(language):
        return kind.samples()


@bp.post("/email-texts/<kind>/<language>/reset")
def reset_email_text(kind: str, language: str):
    _kind(kind, language)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            reset = reset_text(kind, language, actor=current_user)
        except WorkflowError as error:
            refuse(error)
        else:
            flash(
                _("The default text is back; messages queued from now on use it.")
                if reset
                else _("This e-mail already uses the default text."),
                "success" if reset else "info",
            )
    return redirect(url_for("admin.edit_email_text", kind=kind, language=language))
