"""Answers to a category's questions as a source of personal data (see ``privacy.sources``).

The answers of a nomination are about its nominee. Erasing the nominee deletes them all
(text, number, yes/no, choices); a file answer's document is an attachment of the
nomination, so the ``documents_about`` source exports its bytes and deletes it (row and
bytes). This source is registered *before* that one, and flushes: the answer rows are gone
before their documents, so the answers' foreign key (``ON DELETE CASCADE``) never deletes a
row the session still means to delete.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from nominations.models import QuestionAnswer, db
from nominations.privacy.person_data import Erasing, _about, _select, source


def _describe_answer(answer: QuestionAnswer) -> dict:
    from nominations.privacy.sources import document_path  # defined before this registers

    value: object
    if answer.attachment_id is not None:
        value = {"file": document_path(answer.attachment)}
    elif answer.bool_value is not None:
        value = answer.bool_value
    elif answer.choices is not None:
        value = list(answer.choices)
    elif answer.number_value is not None:
        value = str(answer.number_value.normalize())
    else:
        value = answer.text_value
    return {
        "nomination": answer.nomination_id,
        "question": answer.question.label,
        "kind": answer.question.kind,
        "answer": value,
        "updated_at": answer.updated_at.isoformat() if answer.updated_at else None,
    }


def _delete_answers(answers: list[QuestionAnswer], erasing: Erasing) -> None:
    for answer in answers:
        db.session.delete(answer)
    db.session.flush()  # before the documents source deletes the file answers' attachments
    erasing.touch("QuestionAnswer", [a.id for a in answers])


source(
    "answers_about",
    "nominee",
    _l("Answers to a category's questions in nominations of the person"),
    describe=_describe_answer,
    on_erase=_l("deleted (file answers with the documents)"),
    erase=_delete_answers,
)(lambda person: _select(QuestionAnswer, _about(person), QuestionAnswer.nomination))
