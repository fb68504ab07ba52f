"""A nomination's answers to its category's questions: read as typed, stored with the draft,
checked completely at submission.

Saving stores what can be stored (a draft may be incomplete or over a word limit, as its
statement may); a value that cannot be stored at all (a number that is no number, an option
the question does not offer) refuses the save with a message at its field. ``problems`` says
what stops a submission: a required answer missing, a word limit passed, a number out of its
bounds or not whole, a choice no longer offered. A file answer is an attachment of kind
"answer", checked and stored exactly like the supporting documents (``storage.store_pdf``).

An answer saved unchanged is not written at all: no audit record, no "last change".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext, ngettext

from nominations.formatting import count_words
from nominations.languages import current_language, localized
from nominations.models import (
    Attachment,
    AttachmentKind,
    CategoryQuestion,
    Nomination,
    QuestionAnswer,
    QuestionKind,
    User,
    db,
)
from nominations.storage import FileRefused, delete_stored, human_size, store_pdf
from nominations.timeutil import now
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.questions.definitions import MAX_ABS_NUMBER
from nominations.workflow.text import clean, clean_line

MAX_SHORT_CHARS = 1_000
MAX_LONG_CHARS = 100_000
YES, NO = "yes", "no"


def field_name(question: CategoryQuestion | int) -> str:
    """The form field of a question's answer."""
    return f"question_{question if isinstance(question, int) else question.id}"


@dataclass
class FileUpload:
    filename: str
    stream: BinaryIO


@dataclass
class AnswerChanges:
    """What the form sent, by question id: text (str), chosen options (list[str]), or a file;
    ``remove_files``: question ids whose file answer is to go."""

    values: dict[int, str | list[str] | None] = field(default_factory=dict)
    files: dict[int, FileUpload] = field(default_factory=dict)
    remove_files: set[int] = field(default_factory=set)


Problems = list[tuple[str | None, str]]


class AnswerProblems(WorkflowError):
    def __init__(self, problems: Problems):
        super().__init__(problems[0][1], problems[0][0])
        self.problems = problems


# --- reading ---------------------------------------------------------------------------------


def answers_of(nomination: Nomination) -> list[tuple[CategoryQuestion, QuestionAnswer | None]]:
    """The category's questions in order, each with the nomination's answer (one query)."""
    rows = db.session.execute(
        db.select(CategoryQuestion, QuestionAnswer)
        .outerjoin(
            QuestionAnswer,
            (QuestionAnswer.question_id == CategoryQuestion.id)
            & (QuestionAnswer.nomination_id == nomination.id),
        )
        .where(CategoryQuestion.category_id == nomination.category_id)
        .order_by(CategoryQuestion.position, CategoryQuestion.id)
        .options(db.joinedload(QuestionAnswer.attachment))
    ).all()
    return [(question, answer) for question, answer in rows]


def answers_by_nomination(
    nomination_ids: list[int],
) -> dict[int, dict[int, QuestionAnswer]]:
    """Answers of many nominations, by nomination id and question id (one query)."""
    found: dict[int, dict[int, QuestionAnswer]] = {n: {} for n in nomination_ids}
    if not nomination_ids:
        return found
    for answer in db.session.execute(
        db.select(QuestionAnswer).where(QuestionAnswer.nomination_id.in_(nomination_ids))
    ).scalars():
        found[answer.nomination_id][answer.question_id] = answer
    return found


def value_of(answer: QuestionAnswer | None):
    """The stored value in the form's terms (text, list, Decimal, "yes"/"no", attachment)."""
    if answer is None:
        return None
    if answer.attachment_id is not None:
        return answer.attachment
    if answer.bool_value is not None:
        return YES if answer.bool_value else NO
    if answer.choices is not None:
        return list(answer.choices)
    if answer.number_value is not None:
        return answer.number_value
    return answer.text_value


def option_label(question: CategoryQuestion, option: str) -> str:
    """An option in the reader's language (its bokmål line where there is one)."""
    if current_language() == "nb":
        options, options_nb = question.option_list, question.option_list_nb
        if option in options:
            index = options.index(option)
            if index < len(options_nb) and options_nb[index].strip():
                return options_nb[index]
    return option


def format_number(value: Decimal) -> str:
    """A stored number as typed: no trailing zeros, no exponent (3.500000 -> 3.5)."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0",) else "0"


def display(question: CategoryQuestion, answer: QuestionAnswer | None) -> str:
    """The answer as text for a page or a spreadsheet cell ("" when unanswered; a file by
    its name)."""
    value = value_of(answer)
    if value is None:
        return ""
    if question.kind == QuestionKind.YES_NO:
        return gettext("Yes") if value == YES else gettext("No")
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return "; ".join(option_label(question, option) for option in value)
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return option_label(question, value)
    if question.kind == QuestionKind.NUMBER:
        return format_number(value)
    if question.kind == QuestionKind.FILE:
        return value.original_name
    return value


# --- parsing what was typed -------------------------------------------------------------------


def _parse(question: CategoryQuestion, raw) -> tuple[str, object]:
    """(column, value) to store for one typed answer; (column, None) when empty. WorkflowError
    when it cannot be stored."""
    name = field_name(question)
    kind = question.kind
    if kind == QuestionKind.MULTIPLE_CHOICE:
        chosen = {clean_line(v) for v in (raw if isinstance(raw, list) else [raw]) if v}
        unknown = chosen - set(question.option_list)
        if unknown:
            raise WorkflowError(gettext("Choose among the options offered."), name)
        return "choices", [o for o in question.option_list if o in chosen] or None
    text = raw if isinstance(raw, str) else (raw[0] if raw else "")
    if kind == QuestionKind.LONG_TEXT:
        value = clean(text, multiline=True)
        if len(value) > MAX_LONG_CHARS:
            raise WorkflowError(
                gettext("The answer is far too long (%(num)d characters).", num=len(value)), name
            )
        return "text_value", value or None
    value = clean_line(text)
    if kind == QuestionKind.SHORT_TEXT:
        if len(value) > MAX_SHORT_CHARS:
            raise WorkflowError(
                gettext(
                    "A short answer can be at most %(num)d characters long; this one has "
                    "%(count)d.",
                    num=MAX_SHORT_CHARS,
                    count=len(value),
                ),
                name,
            )
        return "text_value", value or None
    if not value:
        return _COLUMNS[kind], None
    if kind == QuestionKind.SINGLE_CHOICE:
        if value not in question.option_list:
            raise WorkflowError(gettext("Choose one of the options offered."), name)
        return "text_value", value
    if kind == QuestionKind.YES_NO:
        if value not in (YES, NO):
            raise WorkflowError(gettext("Answer yes or no."), name)
        return "bool_value", value == YES
    if kind == QuestionKind.NUMBER:
        return "number_value", parse_number(value, name)
    return "text_value", None  # a file question's text: nothing


_COLUMNS = {
    QuestionKind.SINGLE_CHOICE: "text_value",
    QuestionKind.YES_NO: "bool_value",
    QuestionKind.NUMBER: "number_value",
    QuestionKind.FILE: "attachment_id",
}


def parse_number(text: str, field: str) -> Decimal:
    """A number as people type it: "12", "-3.5", "3,5", "1 200" (spaces between thousands)."""
    compact = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if compact.count(",") == 1 and "." not in compact:
        compact = compact.replace(",", ".")
    try:
        number = Decimal(compact)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise WorkflowError(gettext("Enter a number, such as 12 or 3.5."), field)
    if abs(number) > MAX_ABS_NUMBER:
        raise WorkflowError(gettext("Enter a smaller number."), field)
    if number != number.quantize(Decimal("0.000001")):
        raise WorkflowError(gettext("Enter at most six digits after the decimal point."), field)
    return number


# --- storing ---------------------------------------------------------------------------------


def _snapshot(question: CategoryQuestion, answer: QuestionAnswer | None):
    value = value_of(answer)
    if isinstance(value, Attachment):
        return {"file": value.original_name, "sha256": value.sha256}
    if isinstance(value, Decimal):
        return format_number(value)
    return value


def apply_answers(
    nomination: Nomination, changes: AnswerChanges | None, actor: User
) -> tuple[bool, list[FileRefused]]:
    """Store the typed answers of ``nomination``; returns whether anything changed and the
    files refused (not stored; the other answers are). Values that cannot be stored raise
    AnswerProblems (the caller rolls back). An audit record lists what moved."""
    if changes is None:
        return False, []
    current = {q.id: (q, a) for q, a in answers_of(nomination)}
    problems: Problems = []
    refused: list[FileRefused] = []
    before: dict[str, object] = {}
    after: dict[str, object] = {}

    def note(question: CategoryQuestion, old, new) -> None:
        before[question.label], after[question.label] = old, new

    for question_id, (question, answer) in current.items():
        if question.kind == QuestionKind.FILE:
            old = _snapshot(question, answer)
            try:
                if _apply_file(nomination, question, answer, changes, actor):
                    note(question, old, _snapshot(question, _answer(nomination, question)))
            except FileRefused as error:
                refused.append(error)
            continue
        if question_id not in changes.values:
            continue
        try:
            column, value = _parse(question, changes.values[question_id])
        except WorkflowError as error:
            problems.append((error.field, error.message))
            continue
        old = _snapshot(question, answer)
        if value is None:
            if answer is not None:
                db.session.delete(answer)
                note(question, old, None)
            continue
        if answer is not None and getattr(answer, column) == value:
            continue
        if answer is None:
            answer = QuestionAnswer(nomination_id=nomination.id, question_id=question.id)
            db.session.add(answer)
        setattr(answer, column, value)
        answer.updated_at = now()
        note(question, old, _snapshot(question, answer))
    if problems:
        raise AnswerProblems(problems)
    db.session.flush()
    if after:
        audit.record(
            "nomination.answers",
            nomination,
            actor=actor,
            before=before,
            after=after,
            round_id=nomination.category.round_id,
        )
    return bool(after), refused


def _answer(nomination: Nomination, question: CategoryQuestion) -> QuestionAnswer | None:
    return db.session.execute(
        db.select(QuestionAnswer).where(
            QuestionAnswer.nomination_id == nomination.id,
            QuestionAnswer.question_id == question.id,
        )
    ).scalar_one_or_none()


def _drop_file(nomination: Nomination, answer: QuestionAnswer) -> None:
    attachment = answer.attachment
    db.session.delete(answer)
    if attachment is not None:
        if attachment in nomination.attachments:
            nomination.attachments.remove(attachment)
        else:
            db.session.delete(attachment)
        delete_stored(attachment.stored_name)
    db.session.flush()


def _apply_file(
    nomination: Nomination,
    question: CategoryQuestion,
    answer: QuestionAnswer | None,
    changes: AnswerChanges,
    actor: User,
) -> bool:
    """Replace or remove a file answer; True when it changed. FileRefused (nothing kept of
    the upload, the old file stays) when the upload is not acceptable."""
    upload = changes.files.get(question.id)
    if upload is None:
        if question.id in changes.remove_files and answer is not None:
            _drop_file(nomination, answer)
            return True
        return False
    name = field_name(question)
    stored = store_pdf(upload.stream, upload.filename, field=name, label=question.label)
    old = answer.attachment if answer is not None else None
    if old is not None and (old.original_name, old.sha256) == (
        stored.original_name,
        stored.sha256,
    ):
        delete_stored(stored.stored_name)  # the same file again (a retried form)
        return False
    max_total = int(current_app.config["MAX_TOTAL_BYTES"])
    total = sum(a.size_bytes for a in nomination.attachments if a is not old)
    if total + stored.size_bytes > max_total:
        delete_stored(stored.stored_name)
        raise FileRefused(
            gettext(
                "“%(name)s” was not added: together the documents of a nomination may take at "
                "most %(size)s.",
                name=stored.original_name,
                size=human_size(max_total),
            ),
            name,
        )
    if answer is not None:
        _drop_file(nomination, answer)
    attachment = Attachment(
        kind=AttachmentKind.ANSWER,
        original_name=stored.original_name,
        stored_name=stored.stored_name,
        sha256=stored.sha256,
        size_bytes=stored.size_bytes,
        uploaded_by_id=actor.id,
        uploaded_at=now(),
    )
    nomination.attachments.append(attachment)
    db.session.flush()
    db.session.add(
        QuestionAnswer(
            nomination_id=nomination.id,
            question_id=question.id,
            attachment_id=attachment.id,
            updated_at=now(),
        )
    )
    db.session.flush()
    return True


# --- checking at submission ------------------------------------------------------------------


def problems(nomination: Nomination) -> Problems:
    """What in the answers stops ``nomination`` from being submitted, as (field, message)."""
    found: Problems = []
    for question, answer in answers_of(nomination):
        found += _question_problems(question, value_of(answer))
    return found


def _question_problems(question: CategoryQuestion, value) -> Problems:
    name = field_name(question)
    label = localized(question, "label")
    if value is None:
        if question.required:
            return [(name, gettext("Answer the question “%(question)s”.", question=label))]
        return []
    kind = question.kind
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT) and question.word_limit:
        words = count_words(value)
        if words > question.word_limit:
            return [
                (
                    name,
                    gettext(
                        "The answer has %(words)d words; the limit is %(limit)d. Shorten it "
                        "by %(over)d.",
                        words=words,
                        limit=question.word_limit,
                        over=words - question.word_limit,
                    ),
                )
            ]
    if kind == QuestionKind.SINGLE_CHOICE and value not in question.option_list:
        return [(name, gettext("Choose one of the options offered."))]
    if kind == QuestionKind.MULTIPLE_CHOICE and not set(value) <= set(question.option_list):
        return [(name, gettext("Choose among the options offered."))]
    if kind == QuestionKind.NUMBER:
        return _number_problems(question, value)
    return []


def _number_problems(question: CategoryQuestion, value: Decimal) -> Problems:
    name = field_name(question)
    low, high = question.min_value, question.max_value
    if question.whole_numbers and value != value.to_integral_value():
        return [(name, gettext("Enter a whole number."))]
    if low is not None and high is not None and not low <= value <= high:
        message = gettext(
            "Enter a number from %(low)s to %(high)s.",
            low=format_number(low),
            high=format_number(high),
        )
    elif low is not None and value < low:
        message = gettext("Enter a number of at least %(low)s.", low=format_number(low))
    elif high is not None and value > high:
        message = gettext("Enter a number of at most %(high)s.", high=format_number(high))
    else:
        return []
    return [(name, message)]


def word_limit_text(question: CategoryQuestion) -> str:
    return ngettext("At most %(num)d word.", "At most %(num)d words.", question.word_limit)


def bounds_text(question: CategoryQuestion) -> str:
    """What the number question accepts, for its help text ("" when anything goes)."""
    low, high = question.min_value, question.max_value
    parts = []
    if question.whole_numbers:
        parts.append(gettext("A whole number."))
    if low is not None and high is not None:
        parts.append(
            gettext("From %(low)s to %(high)s.", low=format_number(low), high=format_number(high))
        )
    elif low is not None:
        parts.append(gettext("At least %(low)s.", low=format_number(low)))
    elif high is not None:
        parts.append(gettext("At most %(high)s.", high=format_number(high)))
    return " ".join(parts)


def questions_of(category_ids: list[int]) -> list[CategoryQuestion]:
    """The questions of these categories, category by category, in order (one query)."""
    if not category_ids:
        return []
    return list(
        db.session.execute(
            db.select(CategoryQuestion)
            .where(CategoryQuestion.category_id.in_(category_ids))
            .order_by(CategoryQuestion.category_id, CategoryQuestion.position, CategoryQuestion.id)
        ).scalars()
    )


def file_answer_labels(attachment_ids: list[int]) -> dict[int, str]:
    """The English label of the question each of these attachments answers (one query,
    asked even for none: an export asks as many queries whatever it holds)."""
    return dict(
        db.session.execute(
            db.select(QuestionAnswer.attachment_id, CategoryQuestion.label)
            .join(CategoryQuestion, CategoryQuestion.id == QuestionAnswer.question_id)
            .where(QuestionAnswer.attachment_id.in_(attachment_ids))
        ).all()
    )
