"""Reading a nomination's answers to its category's questions: the answers of one nomination
or many, each in the form's terms (``value_of``) or as text for a page or a spreadsheet
(``display``). Validating what was typed lives in ``validating``, storing it in ``saving``."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext

from nominations.languages import current_language
from nominations.models import CategoryQuestion, Nomination, QuestionAnswer, QuestionKind, db

YES, NO = "yes", "no"


def field_name(question: CategoryQuestion | int) -> str:
    """The form field of a question's answer."""
    return f"question_{question if isinstance(question, int) else question.id}"


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
