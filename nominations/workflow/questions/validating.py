"""Validating answers to a category's questions: what typed text can be stored at all
(``parse_answer``: a number that is no number or an option the question does not offer cannot)
and what stops a submission (``problems``: a required answer missing, a word limit passed, a
number out of its bounds or not whole, a choice no longer offered), with the help texts that
tell the nominator those rules beforehand."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext, ngettext

from nominations.formatting import count_words
from nominations.languages import localized
from nominations.models import CategoryQuestion, Nomination, QuestionKind
from nominations.workflow.errors import WorkflowError
from nominations.workflow.questions.definitions import MAX_ABS_NUMBER
from nominations.workflow.questions.reading import (
    NO,
    YES,
    answers_of,
    field_name,
    format_number,
    value_of,
)
from nominations.workflow.text import clean, clean_line

MAX_SHORT_CHARS = 1_000
MAX_LONG_CHARS = 100_000

Problems = list[tuple[str | None, str]]


def parse_answer(question: CategoryQuestion, raw) -> tuple[str, object]:
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
