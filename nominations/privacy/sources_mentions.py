"""Texts in other people's records that name the person, as a source of personal data.

A statement for one nominee may name a colleague; a reviewer's comment, a citation, a chair's
note or a conflict's reason may name anyone. Those sentences are personal data of the person
named (access: the export lists them; erasure: their name and e-mail are replaced in the
text by the name they go by from then on, "Erased person #12", and the rest of the sentence,
which is about someone else, stays). Rows about the person themselves are the other sources'
business (their own nominations are emptied there), so they are left out here.

Matched as the outbox and the audit log are (``Person.needles``: every name they go by and
their e-mail, ignoring case).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from nominations.models import (
    CoauthorDecision,
    ConflictOfInterest,
    Decision,
    DiscussionNote,
    Nomination,
    QuestionAnswer,
    Review,
    db,
)
from nominations.privacy.audit_redaction import needles_pattern
from nominations.privacy.person_data import Erasing, Person, source, text_contains

# model -> its free-text columns that may name anyone, and what the export calls the row.
TEXTS = (
    (
        Nomination,
        ("statement", "ineligible_reason"),
        _l("Statements in others' nominations that name the person"),
    ),
    (Review, ("comment",), _l("Review comments on others that name the person")),
    (Decision, ("citation",), _l("Citations of others that name the person")),
    (DiscussionNote, ("note",), _l("Discussion notes on others that name the person")),
    (
        ConflictOfInterest,
        ("reason", "cleared_reason"),
        _l("Conflict reasons about others that name the person"),
    ),
    (CoauthorDecision, ("reason",), _l("Co-authorship reasons about others that name the person")),
    (QuestionAnswer, ("text_value",), _l("Answers in others' nominations that name the person")),
)


def _naming(model, columns: tuple[str, ...]):
    def rows(person: Person):
        needles = person.needles
        if not needles:
            return None
        query = db.select(model).where(
            db.or_(*(text_contains(getattr(model, name), needles) for name in columns))
        )
        if person.email:  # not the rows about the person: the nominee sources have those
            if model is not Nomination:
                query = query.join(Nomination, Nomination.id == model.nomination_id)
            nominee = Nomination.nominee_email
            query = query.where(db.or_(nominee.is_(None), nominee != person.email))
        return query.order_by(model.id)

    return rows


def _describe(columns: tuple[str, ...]):
    def describe(row) -> dict:
        return {
            "nomination": row.id if isinstance(row, Nomination) else row.nomination_id,
            **{name: getattr(row, name) for name in columns if getattr(row, name)},
        }

    return describe


def _replacing(columns: tuple[str, ...]):
    def erase(rows: list, erasing: Erasing) -> None:
        pattern = needles_pattern(erasing.needles)
        for row in rows:
            for name in columns:
                value = getattr(row, name)
                if value and pattern is not None:
                    setattr(row, name, pattern.sub(erasing.replacement, value))

    return erase


for _model, _columns, _label in TEXTS:
    source(
        f"mentions_{_model.__tablename__}",
        "mentioned",
        _label,
        describe=_describe(_columns),
        on_erase=_l("kept; the name and e-mail replaced"),
        erase=_replacing(_columns),
    )(_naming(_model, _columns))
