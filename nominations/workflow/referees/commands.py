"""Naming and removing referees (the nominator) and uploading a letter (the referee).

Letters are checked and stored exactly as supporting documents are (``storage.store_pdf``:
PDF signature, size limit, SHA-256; the bytes follow the transaction). The audit log records
who named or removed whom and when a letter came, never the letter or its file name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nominations import policy
from nominations.models import Nomination, NominationStatus, Referee, User, db
from nominations.storage import delete_stored, store_pdf
from nominations.timeutil import format_local, now
from nominations.workflow import audit
from nominations.workflow.errors import NotFound, WorkflowError
from nominations.workflow.referees.links import (
    LETTER_STATUSES,
    issue_token,
    letter_deadline,
    letters_open,
)
from nominations.workflow.referees.mailing import queue_received, queue_request
from nominations.workflow.text import clean_line

MAX_REFEREES = 10
REFEREE_FIELDS = ("nomination_id", "name", "email", "relation")
LETTER_LABEL = _l("letter")


@dataclass
class RefereeData:
    name: str
    email: str
    relation: str = ""


def _require_changeable(nomination: Nomination) -> None:
    """Referees change while the nomination takes letters: a draft while the call is open,
    a submitted one until the letter deadline."""
    category = nomination.category
    if nomination.status not in (NominationStatus.DRAFT, NominationStatus.SUBMITTED):
        raise WorkflowError(_("The referees of this nomination can no longer be changed."))
    if nomination.status == NominationStatus.DRAFT:
        from nominations.workflow.nominations.rules import call_not_open_reason

        reason = call_not_open_reason(category.round)
        if reason is not None:
            raise WorkflowError(reason)
    if not letters_open(nomination):
        raise WorkflowError(
            _(
                "Letters were due %(time)s; the referees can no longer be changed.",
                time=format_local(letter_deadline(category)),
            )
        )


def _checked_email(raw: str | None) -> str:
    try:
        checked = validate_email(
            (raw or "").strip(), check_deliverability=False, allow_smtputf8=False
        )
    except EmailNotValidError:
        raise WorkflowError(
            _("Enter the referee's e-mail address, such as name@example.org."), "email"
        ) from None
    email = (getattr(checked, "ascii_email", None) or checked.normalized).lower()
    if len(email) > 254:
        raise WorkflowError(_("The e-mail address is too long."), "email")
    return email


def name_referee(nomination: Nomination, data: RefereeData, *, actor: User) -> Referee:
    """Add a referee and e-mail him his link."""
    policy.authorize("nomination.edit", actor, nomination)
    _require_changeable(nomination)
    name = clean_line(data.name)[:200]
    email = _checked_email(data.email)
    relation = clean_line(data.relation)[:200]
    if not name:
        raise WorkflowError(_("Enter the referee's name."), "name")
    if any(r.email == email for r in nomination.referees):
        raise WorkflowError(_("%(email)s is a referee of this nomination already.", email=email))
    if email in {nomination.nominee_email, (nomination.nominator.email or "").lower()}:
        raise WorkflowError(
            _("The nominee and the nominator cannot be referees of the nomination."), "email"
        )
    if len(nomination.referees) >= MAX_REFEREES:
        raise WorkflowError(_("A nomination can have at most %(num)d referees.", num=MAX_REFEREES))
    referee = Referee(name=name, email=email, relation=relation, named_by_id=actor.id)
    nomination.referees.append(referee)
    token = issue_token(referee)
    referee.created_at = now()
    db.session.flush()
    audit.record(
        "referee.add",
        referee,
        actor=actor,
        after=audit.snapshot(referee, REFEREE_FIELDS),
        round_id=nomination.category.round_id,
    )
    queue_request(referee, token)
    return referee


def remove_referee(nomination: Nomination, referee_id: int, *, actor: User) -> Referee:
    """Remove a referee: his link stops working and his letter, if any, is deleted."""
    policy.authorize("nomination.edit", actor, nomination)
    referee = next((r for r in nomination.referees if r.id == referee_id), None)
    if referee is None:
        raise NotFound(_("No such referee on this nomination."))
    _require_changeable(nomination)
    audit.record(
        "referee.remove",
        referee,
        actor=actor,
        before={**audit.snapshot(referee, REFEREE_FIELDS), "letter_received": referee.received},
        round_id=nomination.category.round_id,
    )
    if referee.stored_name:
        delete_stored(referee.stored_name)  # once the removal commits
    nomination.referees.remove(referee)
    db.session.flush()
    return referee


def upload_letter(referee: Referee, stream: BinaryIO, filename: str) -> str:
    """Store the referee's letter (replacing the one he sent before) and give him a new link;
    returns the new secret. FileRefused when the file is not acceptable (nothing stored)."""
    nomination = referee.nomination
    if nomination.status not in LETTER_STATUSES or not letters_open(nomination):
        raise WorkflowError(_("This link is not valid."))
    # Hold the row: two uploads by the same link at once make one letter, the second refused.
    current = db.session.execute(
        db.select(Referee.token_hash).where(Referee.id == referee.id).with_for_update()
    ).scalar_one_or_none()
    if current != referee.token_hash:
        raise WorkflowError(_("This link is not valid."))
    stored = store_pdf(stream, filename, field="letter", label=str(LETTER_LABEL))
    replaced = referee.stored_name
    if replaced:
        delete_stored(replaced)
    referee.stored_name = stored.stored_name
    referee.original_name = stored.original_name
    referee.sha256 = stored.sha256
    referee.size_bytes = stored.size_bytes
    referee.uploaded_at = now()
    token = issue_token(referee)
    db.session.flush()
    audit.record(
        "referee.letter_received",
        referee,
        actor=None,
        after={"nomination_id": nomination.id, "referee": referee.name, "replaced": bool(replaced)},
        round_id=nomination.category.round_id,
    )
    queue_received(referee, token, replaced=bool(replaced))
    return token
