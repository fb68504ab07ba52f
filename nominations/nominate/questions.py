"""The category's questions as fields of the nomination form, and what the form sent back.

Every field is optional here and accepts anything (no choice validation): the workflow
(``workflow.questions.validating``) decides what can be stored and what may be submitted, so the
messages come from one place, at their fields.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf.file import FileField
from wtforms import (
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Optional

from nominations.languages import localized
from nominations.models import Attachment, CategoryQuestion, QuestionAnswer, QuestionKind
from nominations.workflow.questions.reading import (
    NO,
    YES,
    field_name,
    format_number,
    option_label,
    value_of,
)
from nominations.workflow.questions.saving import AnswerChanges, FileUpload
from nominations.workflow.questions.validating import bounds_text, word_limit_text

Answered = list[tuple[CategoryQuestion, QuestionAnswer | None]]


class MultiCheckboxField(SelectMultipleField):
    """Several options as checkboxes (the template puts them in a fieldset with a legend)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def help_text(question: CategoryQuestion) -> str:
    """The question's help with what the server checks (word limit, number bounds)."""
    parts = [localized(question, "help_text")]
    if question.word_limit:
        parts.append(word_limit_text(question))
    if question.kind == QuestionKind.NUMBER:
        parts.append(bounds_text(question))
    if question.kind == QuestionKind.FILE:
        parts.append(gettext("PDF only."))
    return " ".join(part for part in parts if part)


def _field(question: CategoryQuestion):
    label = localized(question, "label")
    options = {"validators": [Optional()], "description": help_text(question)}
    kind = question.kind
    if kind == QuestionKind.SHORT_TEXT:
        return StringField(label, **options)
    if kind == QuestionKind.LONG_TEXT:
        return TextAreaField(label, **options)
    if kind == QuestionKind.NUMBER:
        return StringField(label, **options)
    if kind == QuestionKind.FILE:
        return FileField(label, **options)
    if kind == QuestionKind.YES_NO:
        choices = [(YES, gettext("Yes")), (NO, gettext("No"))]
        return RadioField(label, choices=choices, validate_choice=False, **options)
    choices = [(option, option_label(question, option)) for option in question.option_list]
    if kind == QuestionKind.SINGLE_CHOICE:
        return RadioField(label, choices=choices, validate_choice=False, **options)
    return MultiCheckboxField(label, choices=choices, validate_choice=False, **options)


def form_class(base: type, answered: Answered) -> type:
    """``base`` with one field per question (a subclass made for this request)."""
    fields = {field_name(question): _field(question) for question, _answer in answered}
    return type(base.__name__, (base,), fields) if fields else base


def initial_values(answered: Answered) -> dict:
    """The stored answers as the form's initial data (files are described, not filled)."""
    initial = {}
    for question, answer in answered:
        value = value_of(answer)
        if value is None or isinstance(value, Attachment):
            continue
        if question.kind == QuestionKind.NUMBER:
            value = format_number(value)
        initial[field_name(question)] = value
    return initial


def describe_files(form, answered: Answered) -> None:
    """A file question's field says which document it holds."""
    for question, answer in answered:
        if question.kind != QuestionKind.FILE or answer is None or answer.attachment is None:
            continue
        field = getattr(form, field_name(question))
        field.description = " ".join(
            part
            for part in (
                help_text(question),
                gettext(
                    "Already uploaded: %(name)s (upload again to replace).",
                    name=answer.attachment.original_name,
                ),
            )
            if part
        )


def answer_changes(form, answered: Answered, remove: list[str]) -> AnswerChanges:
    """What the form sent for the questions; ``remove``: the values of the remove boxes."""
    changes = AnswerChanges()
    for question, _answer in answered:
        field = getattr(form, field_name(question), None)
        if field is None:
            continue
        if question.kind == QuestionKind.FILE:
            if field.data and getattr(field.data, "filename", ""):
                changes.files[question.id] = FileUpload(field.data.filename, field.data.stream)
            if field_name(question) in remove:
                changes.remove_files.add(question.id)
            continue
        changes.values[question.id] = field.data
    return changes
