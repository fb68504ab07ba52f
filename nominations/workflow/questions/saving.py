"""Saving a nomination's answers with its draft: what can be stored is stored (a draft may be
incomplete or over a word limit, as its statement may); a value that cannot be stored at all
refuses the save with a message at its field (``AnswerProblems``). A file answer is an
attachment of kind "answer", checked and stored exactly like the supporting documents
(``storage.store_pdf``).

An answer saved unchanged is not written at all: no audit record, no "last change".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext

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
from nominations.workflow.questions.reading import answers_of, field_name, format_number, value_of
from nominations.workflow.questions.validating import Problems, parse_answer


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


class AnswerProblems(WorkflowError):
    def __init__(self, problems: Problems):
        super().__init__(problems[0][1], problems[0][0])
        self.problems = problems


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
            column, value = parse_answer(question, changes.values[question_id])
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
