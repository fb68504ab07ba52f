"""Saving and resetting the e-mail texts administrators own (mail/texts.py has the kinds).

A text is checked before it is stored (mail.texts.check: syntax, placeholders, the sandbox;
check_required: the placeholders its message cannot do without, such as a referee's link),
so a broken text never reaches a mailing. Saving the default text unchanged, or the text that
is stored already, changes nothing; each real change is in the audit log with before/after.
Messages already queued keep their text: the outbox holds what was rendered.
"""

from __future__ import annotations

from flask_babel import gettext as _

from nominations import policy
from nominations.languages import LANGUAGES
from nominations.mail import texts
from nominations.models import EmailText, User, db
from nominations.workflow import audit
from nominations.workflow.errors import NotFound, WorkflowError


def kind_of(key: str, language: str) -> texts.Kind:
    """The editable kind ``key`` (NotFound for an unknown kind or language)."""
    kind = texts.KINDS.get(key)
    if kind is None or language not in LANGUAGES:
        raise NotFound(_("There is no such e-mail text."))
    return kind


def stored(key: str, language: str) -> EmailText | None:
    return db.session.execute(
        db.select(EmailText).where(EmailText.kind == key, EmailText.language == language)
    ).scalar_one_or_none()


def _normalised(value: str) -> str:
    """Line ends as the browser may send them (CRLF) made plain, trailing spaces dropped."""
    return "\n".join(line.rstrip() for line in value.replace("\r\n", "\n").split("\n")).strip()


def check_text(kind: texts.Kind, subject: str, body: str) -> None:
    """Refuse a text that cannot be used (WorkflowError at its field)."""
    if not subject.strip():
        raise WorkflowError(_("Write a subject."), field="subject")
    if "\n" in subject.strip():
        raise WorkflowError(_("The subject is one line."), field="subject")
    if not body.strip():
        raise WorkflowError(_("Write the message."), field="body")
    for field, source in (("subject", subject), ("body", body)):
        try:
            texts.check(kind, source)
        except texts.TextProblem as problem:
            raise WorkflowError(str(problem), field=field) from problem
    try:
        texts.check_required(kind, body)
    except texts.TextProblem as problem:
        raise WorkflowError(str(problem), field="body") from problem


def _snapshot(key: str, language: str, subject: str, body: str, edited: bool) -> dict:
    return {"kind": key, "language": language, "subject": subject, "body": body, "edited": edited}


def save_text(key: str, language: str, subject: str, body: str, *, actor: User) -> bool:
    """Store the administrators' text of a kind and language; False when nothing changed
    (the same text again, or the default text while none was stored)."""
    policy.authorize("email_text.manage", actor)
    kind = kind_of(key, language)
    subject, body = _normalised(subject), _normalised(body)
    check_text(kind, subject, body)
    entry = stored(key, language)
    before_subject, before_body = texts.current_source(kind, language, entry)
    if (subject, body) == (_normalised(before_subject), _normalised(before_body)):
        return False
    was_edited = entry is not None
    if entry is None:
        entry = EmailText(kind=key, language=language)
        db.session.add(entry)
    entry.subject, entry.body, entry.updated_by_id = subject, body, actor.id
    db.session.flush()
    audit.record(
        "email_text.edit",
        entry,
        actor=actor,
        before=_snapshot(key, language, before_subject, before_body, was_edited),
        after=_snapshot(key, language, subject, body, True),
    )
    db.session.flush()
    return True


def reset_text(key: str, language: str, *, actor: User) -> bool:
    """Back to the default text (the kind's templates); False when it was the default."""
    policy.authorize("email_text.manage", actor)
    kind = kind_of(key, language)
    entry = stored(key, language)
    if entry is None:
        return False
    default_subject, default_body = texts.default_source(kind, language)
    audit.record(
        "email_text.reset",
        entry,
        actor=actor,
        before=_snapshot(key, language, entry.subject, entry.body, True),
        after=_snapshot(key, language, default_subject, default_body, False),
    )
    db.session.delete(entry)
    db.session.flush()
    return True
