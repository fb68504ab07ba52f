"""The questions of a category, as administrators add, edit, order and remove them.

Each change checks the rules of ``nominations.workflow.questions`` (what may change once a
question has answers), flushes and leaves an audit record with before and after; saving a
question unchanged records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from flask_babel import gettext as _

from nominations import policy, storage
from nominations.models import (
    Attachment,
    AwardCategory,
    CategoryQuestion,
    Nomination,
    NominationStatus,
    QuestionAnswer,
    QuestionKind,
    RoundStatus,
    User,
    db,
)
from nominations.models.questions import CHOICE_KINDS, TEXT_KINDS
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.text import clean, clean_line

MAX_LABEL = 300
MAX_HELP = 2000
MAX_OPTION = 200
MAX_OPTIONS = 50
MAX_WORD_LIMIT = 20_000
# Numeric(18, 6): twelve digits before the point.
MAX_ABS_NUMBER = Decimal("999999999999")

QUESTION_FIELDS = (
    "kind",
    "label",
    "label_nb",
    "help_text",
    "help_text_nb",
    "required",
    "word_limit",
    "options",
    "options_nb",
    "min_value",
    "max_value",
    "whole_numbers",
    "position",
)
# What next year's copy takes over (everything but the category it belongs to).
COPIED_FIELDS = QUESTION_FIELDS


@dataclass
class QuestionData:
    kind: str
    label: str
    label_nb: str = ""
    help_text: str = ""
    help_text_nb: str = ""
    required: bool = False
    word_limit: int | None = None
    options: str = ""  # one a line
    options_nb: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    whole_numbers: bool = False


def category_questions(category_id: int) -> list[CategoryQuestion]:
    """The category's questions in their order (one query)."""
    return list(
        db.session.execute(
            db.select(CategoryQuestion)
            .where(CategoryQuestion.category_id == category_id)
            .order_by(CategoryQuestion.position, CategoryQuestion.id)
        ).scalars()
    )


def answer_counts(category_id: int) -> dict[int, tuple[int, int]]:
    """Per question of the category: (answers in all, answers of nominations past draft)."""
    rows = db.session.execute(
        db.select(
            QuestionAnswer.question_id,
            db.func.count(QuestionAnswer.id),
            db.func.count(Nomination.id).filter(Nomination.status != NominationStatus.DRAFT),
        )
        .join(Nomination, Nomination.id == QuestionAnswer.nomination_id)
        .where(Nomination.category_id == category_id)
        .group_by(QuestionAnswer.question_id)
    ).all()
    return {question_id: (total, submitted) for question_id, total, submitted in rows}


def lock_reason(category: AwardCategory) -> str | None:
    if category.round.status == RoundStatus.PUBLISHED:
        return _("The round's results are published: its questions can no longer change.")
    return None


def _require_editable(category: AwardCategory) -> None:
    reason = lock_reason(category)
    if reason:
        raise WorkflowError(reason)


def _lines(text: str) -> list[str]:
    return [clean_line(line) for line in (text or "").split("\n")]


def _clean(data: QuestionData) -> QuestionData:
    kind = data.kind
    choices = kind in CHOICE_KINDS
    options = [line for line in _lines(data.options) if line] if choices else []
    options_nb = _lines(data.options_nb) if choices else []
    while options_nb and not options_nb[-1]:
        options_nb.pop()
    return replace(
        data,
        label=clean_line(data.label),
        label_nb=clean_line(data.label_nb),
        help_text=clean(data.help_text, multiline=True),
        help_text_nb=clean(data.help_text_nb, multiline=True),
        required=bool(data.required),
        word_limit=data.word_limit if kind in TEXT_KINDS else None,
        options="\n".join(options),
        options_nb="\n".join(options_nb) if any(options_nb) else "",
        min_value=data.min_value if kind == QuestionKind.NUMBER else None,
        max_value=data.max_value if kind == QuestionKind.NUMBER else None,
        whole_numbers=bool(data.whole_numbers) if kind == QuestionKind.NUMBER else False,
    )


def _validate(category: AwardCategory, data: QuestionData, question_id: int | None) -> None:
    if data.kind not in {k.value for k in QuestionKind}:
        raise WorkflowError(_("Choose the kind of answer."), "kind")
    if not data.label:
        raise WorkflowError(_("Write the question in English."), "label")
    for name in ("label", "label_nb"):
        if len(getattr(data, name)) > MAX_LABEL:
            raise WorkflowError(
                _("The question is too long (%(num)d characters at most).", num=MAX_LABEL), name
            )
    for name in ("help_text", "help_text_nb"):
        if len(getattr(data, name)) > MAX_HELP:
            raise WorkflowError(
                _("The help text is too long (%(num)d characters at most).", num=MAX_HELP), name
            )
    if data.word_limit is not None and not 0 < data.word_limit <= MAX_WORD_LIMIT:
        raise WorkflowError(
            _("The word limit must be between 1 and %(most)d.", most=MAX_WORD_LIMIT),
            "word_limit",
        )
    if data.kind in CHOICE_KINDS:
        _validate_options(data)
    if data.kind == QuestionKind.NUMBER:
        _validate_bounds(data)
    clash = db.session.execute(
        db.select(CategoryQuestion.id).where(
            CategoryQuestion.category_id == category.id, CategoryQuestion.label == data.label
        )
    ).scalar_one_or_none()
    if clash is not None and clash != question_id:
        raise WorkflowError(_("This category already asks this question."), "label")


def _validate_options(data: QuestionData) -> None:
    options = data.options.split("\n") if data.options else []
    if len(options) < 2:
        raise WorkflowError(_("Give at least two options, one a line."), "options")
    if len(options) > MAX_OPTIONS:
        raise WorkflowError(_("Give at most %(num)d options.", num=MAX_OPTIONS), "options")
    if any(len(option) > MAX_OPTION for option in options):
        raise WorkflowError(
            _("Each option can be at most %(num)d characters long.", num=MAX_OPTION), "options"
        )
    if len({option.casefold() for option in options}) != len(options):
        raise WorkflowError(_("Each option must be different from the others."), "options")
    options_nb = data.options_nb.split("\n") if data.options_nb else []
    if options_nb and len(options_nb) != len(options):
        raise WorkflowError(
            _(
                "Give one bokmål line for each English option, in the same order, or leave "
                "the bokmål options empty."
            ),
            "options_nb",
        )
    if any(len(option) > MAX_OPTION for option in options_nb):
        raise WorkflowError(
            _("Each option can be at most %(num)d characters long.", num=MAX_OPTION),
            "options_nb",
        )


def _validate_bounds(data: QuestionData) -> None:
    for name in ("min_value", "max_value"):
        value = getattr(data, name)
        if value is not None and (not value.is_finite() or abs(value) > MAX_ABS_NUMBER):
            raise WorkflowError(_("Enter a smaller number."), name)
        if value is not None and data.whole_numbers and value != value.to_integral_value():
            raise WorkflowError(_("Whole numbers only: enter a whole number here too."), name)
    if (
        data.min_value is not None
        and data.max_value is not None
        and data.max_value < data.min_value
    ):
        raise WorkflowError(_("The highest number must not be below the lowest."), "max_value")


def add_question(category: AwardCategory, data: QuestionData, *, actor: User) -> CategoryQuestion:
    policy.authorize("round.manage", actor)
    _require_editable(category)
    data = _clean(data)
    _validate(category, data, None)
    position = 1 + max((q.position for q in category_questions(category.id)), default=-1)
    question = CategoryQuestion(category_id=category.id, position=position, **vars(data))
    db.session.add(question)
    db.session.flush()
    audit.record(
        "question.create",
        question,
        actor=actor,
        after={"category_id": category.id, **audit.snapshot(question, QUESTION_FIELDS)},
        round_id=category.round_id,
    )
    return question


def update_question(
    question: CategoryQuestion, data: QuestionData, *, actor: User
) -> CategoryQuestion:
    """Change the question; see the package's rules for what answers allow. Returns it (the
    audit records only what moved; nothing when nothing did)."""
    policy.authorize("round.manage", actor)
    category = question.category
    _require_editable(category)
    if data.kind != question.kind:
        raise WorkflowError(
            _("The kind of answer cannot change: remove the question and add another."), "kind"
        )
    data = _clean(data)
    _validate(category, data, question.id)
    if question.kind in CHOICE_KINDS and _has_answers(question):
        kept = set(data.options.split("\n"))
        gone = [option for option in question.option_list if option not in kept]
        if gone:
            raise WorkflowError(
                _(
                    "Nominators have answered this question: the options %(options)s cannot "
                    "be removed or renamed (new options can be added).",
                    options=", ".join(f"“{option}”" for option in gone),
                ),
                "options",
            )
    before = audit.snapshot(question, QUESTION_FIELDS)
    for name, value in vars(data).items():
        if getattr(question, name) != value:
            setattr(question, name, value)
    db.session.flush()
    old, new = audit.changed(before, audit.snapshot(question, QUESTION_FIELDS))
    if new:
        audit.record(
            "question.update", question, actor=actor, before=old, after=new,
            round_id=category.round_id,
        )  # fmt: skip
    return question


def _has_answers(question: CategoryQuestion) -> bool:
    return (
        db.session.execute(
            db.select(QuestionAnswer.id).where(QuestionAnswer.question_id == question.id).limit(1)
        ).first()
        is not None
    )


def delete_question(question: CategoryQuestion, *, actor: User) -> None:
    """Remove the question while no nomination past draft answered it; drafts' answers (and
    their documents) go with it."""
    policy.authorize("round.manage", actor)
    category = question.category
    _require_editable(category)
    answers = list(
        db.session.execute(
            db.select(QuestionAnswer, Nomination.status)
            .join(Nomination, Nomination.id == QuestionAnswer.nomination_id)
            .where(QuestionAnswer.question_id == question.id)
        ).all()
    )
    if any(status != NominationStatus.DRAFT for _answer, status in answers):
        raise WorkflowError(
            _(
                "Submitted nominations have answered this question, so it cannot be removed. "
                "You can still change its wording or make it optional."
            )
        )
    for answer, _status in answers:
        if answer.attachment_id is not None:
            attachment = db.session.get(Attachment, answer.attachment_id)
            if attachment is not None:
                storage.delete_stored(attachment.stored_name)
                db.session.delete(attachment)
        db.session.delete(answer)
    audit.record(
        "question.delete",
        question,
        actor=actor,
        before={
            "category_id": category.id,
            "draft_answers": len(answers),
            **audit.snapshot(question, QUESTION_FIELDS),
        },
        round_id=category.round_id,
    )
    db.session.delete(question)
    db.session.flush()
    _renumber(category.id)


def _renumber(category_id: int) -> None:
    for position, question in enumerate(category_questions(category_id)):
        if question.position != position:
            question.position = position
    db.session.flush()


def move_question(question: CategoryQuestion, step: int, *, actor: User) -> bool:
    """Move the question one place up (-1) or down (+1); False when it is already first or
    last (nothing changes, nothing is recorded)."""
    policy.authorize("round.manage", actor)
    category = question.category
    _require_editable(category)
    questions = category_questions(category.id)
    index = questions.index(question)
    target = index + (1 if step > 0 else -1)
    if not 0 <= target < len(questions):
        return False
    order = [q.id for q in questions]
    questions[index], questions[target] = questions[target], questions[index]
    for position, each in enumerate(questions):
        each.position = position
    db.session.flush()
    audit.record(
        "question.move",
        question,
        actor=actor,
        before={"order": order},
        after={"order": [q.id for q in questions]},
        round_id=category.round_id,
    )
    return True
