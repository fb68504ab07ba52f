"""The sources of personal data in the audit log and the outbox (see ``privacy.sources``);
imported last, so the audit log is redacted after every other source has run."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import or_

from nominations.models import AuditEvent, OutboxMessage, db
from nominations.privacy.audit_redaction import needles_pattern, redact_audit
from nominations.privacy.person_data import (
    Erasing,
    Person,
    _of_user,
    _select,
    iso,
    source,
    text_contains,
)

# --- the audit log and the outbox ----------------------------------------------------------


source(
    "audit_actions",
    "audit",
    _l("Actions in the audit log"),
    describe=lambda e: {
        "action": e.action,
        "object": e.object_type,
        "object_id": e.object_id,
        "at": iso(e.created_at),
    },
    on_erase=_l("kept; the actor is the anonymised account"),
)(lambda person: _select(AuditEvent, _of_user(AuditEvent.actor_id, person)))


source(
    "mail_to",
    "recipient",
    _l("E-mails to the person"),
    describe=lambda m: {
        "subject": m.subject,
        "text": m.body_text,
        "status": m.status,
        "queued_at": iso(m.created_at),
        "sent_at": iso(m.sent_at),
    },
    on_erase=_l("deleted"),
    erase=lambda rows, erasing: [db.session.delete(m) for m in rows],
)(lambda person: _select(OutboxMessage, OutboxMessage.recipient == person.email))


def _replace_in_mail(messages: list[OutboxMessage], erasing: Erasing) -> None:
    # Never None: these rows were found by the same needles.
    plain = needles_pattern(erasing.needles)
    html = needles_pattern(str(escape(n)) for n in erasing.needles)
    for message in messages:
        message.subject = plain.sub(erasing.replacement, message.subject)
        message.body_text = plain.sub(erasing.replacement, message.body_text)
        replaced = html.sub(str(escape(erasing.replacement)), message.body_html)
        message.body_html = plain.sub(str(escape(erasing.replacement)), replaced)


def _mentioning_mail(person: Person):
    needles = person.needles
    if not needles:
        return None
    return db.select(OutboxMessage).where(
        OutboxMessage.recipient != person.email,
        or_(
            text_contains(OutboxMessage.subject, needles),
            text_contains(OutboxMessage.body_text, needles),
            text_contains(OutboxMessage.body_html, [str(escape(n)) for n in needles]),
        ),
    )


source(
    "mail_mentions",
    "recipient",
    _l("E-mails to others that name the person"),
    on_erase=_l("the name and e-mail replaced"),
    erase=_replace_in_mail,
)(_mentioning_mail)


def _mentioning_audit(person: Person):
    needles = person.needles
    if not needles:
        return None
    return db.select(AuditEvent).where(
        or_(text_contains(AuditEvent.before, needles), text_contains(AuditEvent.after, needles))
    )


source(
    "audit_mentions",
    "audit",
    _l("Audit records that hold the person's name or e-mail"),
    on_erase=_l("redacted (action, time and object kept)"),
    # The last source, so it runs after the others: it also redacts the rows about the
    # objects they changed.
    erase=lambda rows, erasing: redact_audit(rows, erasing),
)(_mentioning_audit)
