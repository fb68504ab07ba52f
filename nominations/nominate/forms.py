"""The nomination form. Every field is optional here: a draft may be incomplete, and the
workflow checks completeness on submission. The form only refuses what cannot be stored."""

from __future__ import annotations

import re
import secrets

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, Length, Optional

from nominations.languages import localized
from nominations.models import AttachmentKind, AwardCategory, Department, Nomination
from nominations.nominate.questions import Answered, form_class, initial_values
from nominations.timeutil import format_date
from nominations.workflow.nominations.details import MAX_STATEMENT_CHARS, NominationData
from nominations.workflow.nominations.rules import phd_earliest

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class NominationForm(FlaskForm):
    # A new nomination's form carries a random token: sending it twice makes one nomination.
    form_token = HiddenField()
    nominee_name = StringField(_l("Nominee's name"), validators=[Optional(), Length(max=200)])
    nominee_email = EmailField(
        _l("Nominee's e-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Enter a valid e-mail address, such as name@example.org.")),
        ],
    )
    nominee_department_id = SelectField(_l("Nominee's department"), coerce=int, default=0)
    nominee_position = StringField(
        _l("Nominee's position"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example: postdoctoral fellow, group leader, senior engineer."),
    )
    nominee_phd_date = DateField(_l("Date of the nominee's PhD"), validators=[Optional()])
    statement = TextAreaField(
        _l("Statement in support of the nominee"),
        validators=[Optional(), Length(max=MAX_STATEMENT_CHARS)],
    )
    # Two choices at most (oneself, or one's department): radio buttons in a fieldset whose
    # legend names the group.
    on_behalf_of_department_id = RadioField(_l("Who nominates"), coerce=int, default=0)
    cv = FileField(_l("CV (PDF)"))
    publications = FileField(_l("Publication list (PDF)"))
    support_letters = MultipleFileField(_l("Add support letters (PDF)"))
    remove_documents = SelectMultipleField(_l("Remove"), coerce=int, validate_choice=False)
    save_draft = SubmitField(_l("Save draft"))
    submit_nomination = SubmitField(_l("Submit nomination"))
    save_changes = SubmitField(_l("Save changes"))


class WithdrawForm(FlaskForm):
    submit = SubmitField(_l("Withdraw nomination"))


def build_form(
    category: AwardCategory,
    nomination: Nomination | None,
    departments: list[Department],
    acting_for: list[Department],
    answered: Answered = (),
) -> NominationForm:
    """The form for this category: the PhD date only with a career-stage rule, the choice of
    who nominates only where a department may nominate, letters only where allowed, and a
    field for each of the category's questions (``answered``: with the stored answers)."""
    initial = {}
    if nomination is not None:
        initial = {
            "nominee_name": nomination.nominee_name,
            "nominee_email": nomination.nominee_email,
            "nominee_department_id": nomination.nominee_department_id or 0,
            "nominee_position": nomination.nominee_position,
            "nominee_phd_date": nomination.nominee_phd_date,
            "statement": nomination.statement,
            "on_behalf_of_department_id": nomination.on_behalf_of_department_id or 0,
        }
    else:
        initial = {"form_token": secrets.token_urlsafe(24)}
    initial |= initial_values(answered)
    form = form_class(NominationForm, answered)(data=initial)
    if nomination is not None:
        del form.form_token
    form.nominee_department_id.choices = [(0, gettext("Choose a department…"))] + [
        (d.id, d.name) for d in departments
    ]
    if category.phd_within_years:
        earliest = phd_earliest(category)
        form.nominee_phd_date.description = ngettext(
            "%(category)s: PhD within the last %(num)d year before the closing date, that is "
            "on or after %(date)s.",
            "%(category)s: PhD within the last %(num)d years before the closing date, that is "
            "on or after %(date)s.",
            category.phd_within_years,
            category=localized(category, "name"),
            date=format_date(earliest),
        )
    else:
        del form.nominee_phd_date
    form.statement.description = ngettext(
        "At most %(num)d word.", "At most %(num)d words.", category.word_limit
    )
    if acting_for:
        form.on_behalf_of_department_id.choices = [(0, gettext("I nominate in my own name"))] + [
            (d.id, gettext("%(department)s (on its behalf)", department=d.name)) for d in acting_for
        ]
    else:
        del form.on_behalf_of_department_id
    if not category.max_support_letters:
        del form.support_letters
    return form


def describe_documents(
    form: NominationForm, category: AwardCategory, nomination: Nomination | None
) -> None:
    """Each document field says what it holds: the file already uploaded (then it is not
    required any more: a new one replaces it), or whether the category requires one."""
    held: dict[str, list[str]] = {}
    for attachment in nomination.attachments if nomination is not None else []:
        held.setdefault(attachment.kind, []).append(attachment.original_name)
    for field, kind, required in (
        (form.cv, AttachmentKind.CV, category.requires_cv),
        (form.publications, AttachmentKind.PUBLICATIONS, category.requires_publications),
    ):
        if held.get(kind):
            field.description = gettext(
                "Already uploaded: %(name)s (upload again to replace).", name=held[kind][-1]
            )
        else:
            field.description = gettext("Required.") if required else gettext("Optional.")
    letters = getattr(form, "support_letters", None)
    if letters is not None:
        limit = ngettext(
            "Up to %(num)d letter in all; you can select several files.",
            "Up to %(num)d letters in all; you can select several files.",
            category.max_support_letters,
        )
        names = held.get(AttachmentKind.SUPPORT_LETTER)
        letters.description = (
            gettext(
                "Already uploaded: %(names)s (new letters are added). %(limit)s",
                names=", ".join(names),
                limit=limit,
            )
            if names
            else limit
        )


def creation_token(form: NominationForm) -> str | None:
    """The create form's token as sent; None when missing or not one we make."""
    field = getattr(form, "form_token", None)
    token = (field.data or "") if field is not None else ""
    return token if TOKEN_RE.fullmatch(token) else None


def form_data(form: NominationForm) -> NominationData:
    def value(name: str):
        field = getattr(form, name, None)
        return field.data if field is not None else None

    return NominationData(
        nominee_name=value("nominee_name") or "",
        nominee_email=value("nominee_email") or "",
        nominee_department_id=value("nominee_department_id") or None,
        nominee_position=value("nominee_position") or "",
        nominee_phd_date=value("nominee_phd_date"),
        statement=value("statement") or "",
        on_behalf_of_department_id=value("on_behalf_of_department_id") or None,
    )
