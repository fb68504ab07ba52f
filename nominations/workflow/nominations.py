"""Nominations: drafts, submission, edits until the closing time, withdrawal, eligibility.

Every change a nominator makes goes through one of these functions, and each of them first
asks the clock (``accepts_nominations``): after the closing time, to the second, nothing a
nominator sends is stored, whatever the scheduler has done. Nothing is lost either: a refused
change leaves the stored draft as it was, and the view shows the typed values again.

Life of a nomination (nominator's side)::

    (new) --save_draft--> draft --submit--> submitted --withdraw--> withdrawn
                            ^                   |  update (edit)        |
                            +------ save_draft -+-----------------------+
                                                 (or submit again)

- ``save_draft`` stores whatever was typed (required fields are not checked) and every
  acceptable document; refused documents are reported, the rest is kept.
- ``submit`` checks the stored draft completely (required fields and documents, word limit,
  eligibility, self-nomination) and makes it submitted; a confirmation e-mail is queued.
- ``update`` edits a submitted nomination until the closing time; it is all or nothing, so a
  submitted nomination is always complete.
- ``withdraw`` takes a submitted nomination out (confirmation e-mail). A withdrawn nomination
  can be worked on again (``save_draft`` makes it a draft) and submitted again before the
  closing time: each submission is a new event and gets its own confirmation (the dedupe key
  holds the submission time), while a retried request for the same submission queues nothing
  twice. Edits after submission send no e-mail; they are in the audit log.
- ``mark_ineligible`` (administrators) with a reason; the nominator is told by e-mail.

Duplicates (the same nominee e-mail in the same category) are never merged: they are counted
(``duplicate_count``, ``duplicate_counts``), shown to the nominator and flagged to admins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

from email_validator import EmailNotValidError, validate_email
from flask import current_app

from nominations import policy
from nominations.formatting import count_words, format_amount
from nominations.mail import queue_email
from nominations.models import (
    REVIEWABLE_STATUSES,
    Attachment,
    AttachmentKind,
    AwardCategory,
    AwardRound,
    Department,
    Nomination,
    NominationStatus,
    User,
    db,
)
from nominations.storage import FileRefused, delete_stored, human_size, store_pdf
from nominations.timeutil import format_date, format_local, now, to_local
from nominations.workflow import audit
from nominations.workflow.calls import CallState, call_state
from nominations.workflow.errors import WorkflowError
from nominations.workflow.text import clean, refuse_disguised

# What a nominator may still change (while the call is open).
NOMINATOR_EDITABLE = (
    NominationStatus.DRAFT,
    NominationStatus.SUBMITTED,
    NominationStatus.WITHDRAWN,
)
# Nominations that count when looking for duplicates: went in and were not taken out.
ACTIVE_STATUSES = REVIEWABLE_STATUSES
# What an administrator may mark ineligible (not after the chair's decision).
INELIGIBLE_FROM = (NominationStatus.SUBMITTED, NominationStatus.SHORTLISTED)

NOMINATION_FIELDS = (
    "nominee_name",
    "nominee_email",
    "nominee_department_id",
    "nominee_position",
    "nominee_phd_date",
    "statement",
    "on_behalf_of_department_id",
    "status",
)
ATTACHMENT_FIELDS = ("kind", "original_name", "sha256", "size_bytes")

MAX_LINE = 200
MAX_STATEMENT_CHARS = 100_000
MAX_REASON_CHARS = 5_000

# The form field each document kind belongs to, and how it is named in messages.
DOCUMENT_FIELDS = {
    AttachmentKind.CV: "cv",
    AttachmentKind.PUBLICATIONS: "publications",
    AttachmentKind.SUPPORT_LETTER: "support_letters",
}
DOCUMENT_LABELS = {
    AttachmentKind.CV: "CV",
    AttachmentKind.PUBLICATIONS: "publication list",
    AttachmentKind.SUPPORT_LETTER: "support letter",
}


@dataclass
class NominationData:
    """What the nominator typed; empty values are allowed in a draft."""

    nominee_name: str = ""
    nominee_email: str = ""
    nominee_department_id: int | None = None
    nominee_position: str = ""
    nominee_phd_date: date | None = None
    statement: str = ""
    on_behalf_of_department_id: int | None = None


@dataclass
class Upload:
    """One uploaded file: its kind, the name the browser gave and the stream of bytes."""

    kind: str
    filename: str
    stream: BinaryIO


@dataclass
class DocumentChanges:
    uploads: list[Upload] = field(default_factory=list)
    remove_ids: list[int] = field(default_factory=list)


@dataclass
class SaveResult:
    nomination: Nomination
    refused: list[FileRefused] = field(default_factory=list)  # documents not stored
    duplicates: int = 0  # other active nominations of the same nominee in the category


class NominationProblems(WorkflowError):
    """Several fields need attention; ``problems`` is a list of (field, message)."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        message = (
            problems[0][1]
            if len(problems) == 1
            else "The nomination is not complete yet: see the fields marked below."
        )
        super().__init__(message, problems[0][0] if len(problems) == 1 else None)
        self.problems = problems


class CallNotOpen(WorkflowError):
    """The call does not accept nominations now (not open yet, or closed)."""


# --- reading ------------------------------------------------------------------------------


def departments_acting_for(user: User, category: AwardCategory) -> list[Department]:
    """Departments on whose behalf ``user`` may nominate in ``category``: their own one,
    where the category takes departmental nominations."""
    if not category.department_nomination_allowed or user.department is None:
        return []
    return [user.department]


def is_self_nomination(nomination: Nomination) -> bool:
    return bool(nomination.nominee_email) and nomination.nominee_email == (
        nomination.nominator.email if nomination.nominator else ""
    )


def phd_earliest(category: AwardCategory) -> date | None:
    """The earliest PhD date the career-stage rule accepts: N years before the closing date
    (the local date of the round's closing time)."""
    years = category.phd_within_years
    if not years:
        return None
    closing_day = to_local(category.round.closes_at).date()
    try:
        return closing_day.replace(year=closing_day.year - years)
    except ValueError:  # 29 February
        return closing_day.replace(year=closing_day.year - years, day=28)


def duplicate_counts(nominations: Iterable[Nomination]) -> dict[int, int]:
    """For each nomination, how many *other* active nominations have the same nominee e-mail
    in the same category. One query, however many nominations."""
    nominations = [n for n in nominations if n.nominee_email]
    if not nominations:
        return {}
    rows = db.session.execute(
        db.select(Nomination.category_id, Nomination.nominee_email, db.func.count(Nomination.id))
        .where(
            Nomination.status.in_(ACTIVE_STATUSES),
            Nomination.category_id.in_({n.category_id for n in nominations}),
            Nomination.nominee_email.in_({n.nominee_email for n in nominations}),
        )
        .group_by(Nomination.category_id, Nomination.nominee_email)
    ).all()
    totals = {(category_id, email): count for category_id, email, count in rows}
    counts = {}
    for n in nominations:
        total = totals.get((n.category_id, n.nominee_email), 0)
        counts[n.id] = max(total - (1 if n.status in ACTIVE_STATUSES else 0), 0)
    return counts


def duplicate_count(nomination: Nomination) -> int:
    return duplicate_counts([nomination]).get(nomination.id, 0)


def duplicates_of(nomination: Nomination) -> list[Nomination]:
    """The other nominations (any status) of the same nominee in the category (for admins)."""
    if not nomination.nominee_email:
        return []
    return list(
        db.session.execute(
            db.select(Nomination)
            .options(db.joinedload(Nomination.nominator))
            .where(
                Nomination.category_id == nomination.category_id,
                Nomination.nominee_email == nomination.nominee_email,
                Nomination.id != nomination.id,
            )
            .order_by(Nomination.id)
        ).scalars()
    )


def problems(nomination: Nomination) -> list[tuple[str | None, str]]:
    """Everything that stops this nomination from being submitted, as (field, message)."""
    category = nomination.category
    found: list[tuple[str | None, str]] = []
    required = (
        ("nominee_name", nomination.nominee_name, "Enter the nominee's name."),
        ("nominee_email", nomination.nominee_email, "Enter the nominee's e-mail address."),
        ("nominee_department_id", nomination.nominee_department_id, "Choose a department."),
        ("nominee_position", nomination.nominee_position, "Enter the nominee's position."),
    )
    found += [(name, message) for name, value, message in required if not value]
    if is_self_nomination(nomination) and not category.self_nomination_allowed:
        found.append(
            (
                "nominee_email",
                f"{category.name} does not accept self-nominations: "
                "ask a colleague or your department to nominate you.",
            )
        )
    found += eligibility_problems(category, nomination.nominee_phd_date)
    words = count_words(nomination.statement)
    if words == 0:
        found.append(("statement", "Write the statement in support of the nominee."))
    elif words > category.word_limit:
        found.append(
            (
                "statement",
                f"The statement has {words} words; the limit for {category.name} is "
                f"{category.word_limit}. Shorten it by {words - category.word_limit}.",
            )
        )
    kinds = [a.kind for a in nomination.attachments]
    if category.requires_cv and AttachmentKind.CV not in kinds:
        found.append(("cv", "Upload the nominee's CV (PDF)."))
    if category.requires_publications and AttachmentKind.PUBLICATIONS not in kinds:
        found.append(("publications", "Upload the nominee's publication list (PDF)."))
    letters = kinds.count(AttachmentKind.SUPPORT_LETTER)
    if letters > category.max_support_letters:
        found.append(
            (
                "support_letters",
                f"{category.name} takes at most {category.max_support_letters} support "
                f"letters; remove {letters - category.max_support_letters}.",
            )
        )
    return found


def eligibility_problems(
    category: AwardCategory, phd_date: date | None
) -> list[tuple[str | None, str]]:
    """The career-stage rule: the PhD within the last N years, at the round's closing date."""
    earliest = phd_earliest(category)
    if earliest is None:
        return []
    closing_day = to_local(category.round.closes_at).date()
    if phd_date is None:
        return [("nominee_phd_date", "Enter the date of the nominee's PhD.")]
    if phd_date > closing_day:
        return [
            (
                "nominee_phd_date",
                f"The PhD date must not be after the closing date ({format_date(closing_day)}).",
            )
        ]
    if phd_date < earliest:
        return [
            (
                "nominee_phd_date",
                f"{category.name} is for researchers whose PhD was awarded within the last "
                f"{category.phd_within_years} years before the closing date: on or after "
                f"{format_date(earliest)}.",
            )
        ]
    return []


# --- rules shared by every change -----------------------------------------------------------


def call_not_open_reason(award_round: AwardRound, at: datetime | None = None) -> str | None:
    """None while the call accepts nominations; else why not, with the time in local time."""
    at = at or now()
    state = call_state(award_round, at)
    if state is CallState.OPEN:
        return None
    if state is CallState.UPCOMING:
        return f"The call opens at {format_local(award_round.opens_at)}."
    if at >= award_round.closes_at:
        return f"The call closed at {format_local(award_round.closes_at)}."
    return "The call has been closed by the administrators."


def closed_message(
    award_round: AwardRound,
    *,
    stored: bool,
    just_saved: bool = False,
    at: datetime | None = None,
) -> str | None:
    """None while the call accepts nominations; else what to tell a nominator whose change
    was refused: ``stored`` when the nomination exists (its saved version is kept),
    ``just_saved`` when the same request saved it as a draft and only the submission that
    followed came too late (the closing time passed in between)."""
    reason = call_not_open_reason(award_round, at)
    if reason is None:
        return None
    if just_saved:
        return reason + " Your draft is saved with what you typed, but it was not submitted."
    if stored:
        return (
            reason + " Your nomination is kept as it was saved; the changes you just made "
            "were not saved (they are still in the form below)."
        )
    return reason + " Nothing was saved; what you typed is still in the form below."


def _require_open(award_round: AwardRound, *, stored: bool) -> datetime:
    """Refuse the change unless the call accepts nominations now; returns the instant checked
    (the change is stamped with it, so a nomination accepted before the closing time never
    carries a later time).

    The round's row is held in share mode until the change commits (PostgreSQL; SQLite
    serialises writers anyway). Closing the round updates that row, so the close waits for
    every change that was checked before the closing time and then counts it in its summary
    and notifications, and a change that comes after the close waits for it and finds the
    round closed. Without it a submission checked a moment before the closing time could
    commit just after the close had counted, and the summary would miss it.
    """
    db.session.execute(
        db.select(AwardRound)
        .where(AwardRound.id == award_round.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    at = now()
    message = closed_message(award_round, stored=stored, at=at)
    if message is not None:
        raise CallNotOpen(message)
    return at


def _require_nominator(nomination: Nomination, actor: User) -> None:
    # Someone else's nomination does not exist as far as they are concerned (views: 404).
    policy.authorize("nomination.edit", actor, nomination)


def _lock(nomination: Nomination) -> None:
    """Hold the row until commit (PostgreSQL) and read its latest state."""
    db.session.execute(
        db.select(Nomination.id).where(Nomination.id == nomination.id).with_for_update()
    )
    db.session.refresh(nomination)


# Text as stored: NFC, no control characters (PostgreSQL refuses NUL), trimmed.
_clean = clean


def _line(value: str | None, field_name: str, label: str) -> str:
    text = " ".join(_clean(value).split())
    if len(text) > MAX_LINE:
        raise WorkflowError(f"The {label} can be at most {MAX_LINE} characters long.", field_name)
    return refuse_disguised(text, field_name, label)


def normalise_nominee_email(value: str | None) -> str:
    """The e-mail address as stored (lower case, ASCII); '' when empty."""
    raw = _clean(value)
    if not raw:
        return ""
    try:
        checked = validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise WorkflowError(
            "Enter a valid e-mail address, such as name@example.org.", "nominee_email"
        ) from None
    email = (getattr(checked, "ascii_email", None) or checked.normalized).lower()
    if len(email) > 254:
        raise WorkflowError("The e-mail address is too long.", "nominee_email")
    return email


def _apply_data(
    nomination: Nomination, category: AwardCategory, data: NominationData, actor: User
) -> None:
    nominee_department = None
    if data.nominee_department_id:
        nominee_department = db.session.get(Department, data.nominee_department_id)
        if nominee_department is None:
            raise WorkflowError("Choose a department from the list.", "nominee_department_id")
    on_behalf = None
    if data.on_behalf_of_department_id:
        if not category.department_nomination_allowed:
            raise WorkflowError(
                f"{category.name} does not take nominations on behalf of a department.",
                "on_behalf_of_department_id",
            )
        allowed = {d.id for d in departments_acting_for(actor, category)}
        if data.on_behalf_of_department_id not in allowed:
            raise WorkflowError(
                "You can nominate on behalf of your own department only.",
                "on_behalf_of_department_id",
            )
        on_behalf = db.session.get(Department, data.on_behalf_of_department_id)
    statement = _clean(data.statement, multiline=True)
    if len(statement) > MAX_STATEMENT_CHARS:
        raise WorkflowError(
            f"The statement is far too long ({len(statement)} characters).", "statement"
        )
    nomination.nominee_name = _line(data.nominee_name, "nominee_name", "name")
    nomination.nominee_email = normalise_nominee_email(data.nominee_email)
    nomination.nominee_department_id = nominee_department.id if nominee_department else None
    nomination.nominee_position = _line(data.nominee_position, "nominee_position", "position")
    nomination.nominee_phd_date = data.nominee_phd_date if category.phd_within_years else None
    nomination.statement = statement
    nomination.on_behalf_of_department_id = on_behalf.id if on_behalf else None


@dataclass
class _FileWork:
    """Files written and files to delete, so that disk follows the database's fate."""

    written: list[str] = field(default_factory=list)
    to_delete: list[str] = field(default_factory=list)

    def undo(self) -> None:
        for name in self.written:
            delete_stored(name)

    def finish(self) -> None:
        for name in self.to_delete:
            delete_stored(name)


def _remove_attachment(
    nomination: Nomination, attachment: Attachment, actor: User, work: _FileWork
) -> None:
    audit.record(
        "attachment.remove",
        attachment,
        actor=actor,
        before={"nomination_id": nomination.id, **audit.snapshot(attachment, ATTACHMENT_FIELDS)},
        round_id=nomination.category.round_id,
    )
    nomination.attachments.remove(attachment)
    work.to_delete.append(attachment.stored_name)


def _apply_documents(
    nomination: Nomination, documents: DocumentChanges | None, actor: User, work: _FileWork
) -> list[FileRefused]:
    """Remove and add documents; returns the uploads that were refused (not stored)."""
    if documents is None:
        return []
    category = nomination.category
    refused: list[FileRefused] = []
    remove = set(documents.remove_ids)
    for attachment in [a for a in nomination.attachments if a.id in remove]:
        _remove_attachment(nomination, attachment, actor, work)
    max_total = int(current_app.config["MAX_TOTAL_BYTES"])
    for upload in documents.uploads:
        kind = AttachmentKind(upload.kind)
        field_name, label = DOCUMENT_FIELDS[kind], DOCUMENT_LABELS[kind]
        replaced = [
            a
            for a in nomination.attachments
            if a.kind == kind and kind != AttachmentKind.SUPPORT_LETTER
        ]
        if kind == AttachmentKind.SUPPORT_LETTER:
            letters = sum(1 for a in nomination.attachments if a.kind == kind)
            if letters >= category.max_support_letters:
                refused.append(
                    FileRefused(
                        f"{category.name} takes at most {category.max_support_letters} "
                        f"support letters: “{upload.filename}” was not added.",
                        field_name,
                    )
                )
                continue
        try:
            stored = store_pdf(upload.stream, upload.filename, field=field_name, label=label)
        except FileRefused as error:
            refused.append(error)
            continue
        work.written.append(stored.stored_name)
        total = sum(a.size_bytes for a in nomination.attachments if a not in replaced)
        if total + stored.size_bytes > max_total:
            refused.append(
                FileRefused(
                    f"“{stored.original_name}” was not added: together the documents of a "
                    f"nomination may take at most {human_size(max_total)}.",
                    field_name,
                )
            )
            delete_stored(stored.stored_name)
            work.written.remove(stored.stored_name)
            continue
        for old in replaced:
            _remove_attachment(nomination, old, actor, work)
        attachment = Attachment(
            kind=kind,
            original_name=stored.original_name,
            stored_name=stored.stored_name,
            sha256=stored.sha256,
            size_bytes=stored.size_bytes,
            uploaded_by_id=actor.id,
            uploaded_at=now(),
        )
        nomination.attachments.append(attachment)
        db.session.flush()
        audit.record(
            "attachment.add",
            attachment,
            actor=actor,
            after={"nomination_id": nomination.id, **audit.snapshot(attachment, ATTACHMENT_FIELDS)},
            round_id=category.round_id,
        )
    return refused


def _record_changes(nomination: Nomination, before: dict | None, actor: User) -> None:
    after = audit.snapshot(nomination, NOMINATION_FIELDS)
    if before is None:
        audit.record(
            "nomination.create",
            nomination,
            actor=actor,
            after=after,
            round_id=nomination.category.round_id,
        )
        return
    old, new = audit.changed(before, after)
    if new:
        audit.record(
            "nomination.update",
            nomination,
            actor=actor,
            before=old,
            after=new,
            round_id=nomination.category.round_id,
        )


# --- changes by the nominator ---------------------------------------------------------------


def save_draft(
    category: AwardCategory,
    data: NominationData,
    *,
    actor: User,
    nomination: Nomination | None = None,
    documents: DocumentChanges | None = None,
) -> SaveResult:
    """Store what was typed as a draft (new, or a draft or withdrawn nomination).

    Required fields are not checked. Acceptable documents are stored even when another one is
    refused; the refused ones are in ``SaveResult.refused``. A submitted nomination is changed
    with ``update`` instead.
    """
    policy.authorize("nomination.create", actor)
    if nomination is not None:
        _require_nominator(nomination, actor)
        _lock(nomination)
        category = nomination.category
    _require_open(category.round, stored=nomination is not None)
    if nomination is not None and nomination.status not in (
        NominationStatus.DRAFT,
        NominationStatus.WITHDRAWN,
    ):
        raise WorkflowError(
            "This nomination has been submitted; use “Save changes” to edit it."
            if nomination.status == NominationStatus.SUBMITTED
            else "This nomination can no longer be changed."
        )
    work = _FileWork()
    try:
        before = None
        if nomination is None:
            nomination = Nomination(category=category, nominator=actor)
            db.session.add(nomination)
        else:
            before = audit.snapshot(nomination, NOMINATION_FIELDS)
        _apply_data(nomination, category, data, actor)
        nomination.status = NominationStatus.DRAFT
        nomination.updated_at = now()
        db.session.flush()
        _record_changes(nomination, before, actor)
        refused = _apply_documents(nomination, documents, actor, work)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        work.undo()
        raise
    work.finish()
    return SaveResult(nomination, refused, duplicate_count(nomination))


def submit(nomination: Nomination, *, actor: User) -> Nomination:
    """Submit a saved draft (or a withdrawn nomination) after checking it completely."""
    _require_nominator(nomination, actor)
    _lock(nomination)
    at = _require_open(nomination.category.round, stored=True)
    if nomination.status == NominationStatus.SUBMITTED:
        raise WorkflowError("This nomination has already been submitted.")
    if nomination.status not in NOMINATOR_EDITABLE:
        raise WorkflowError("This nomination can no longer be changed.")
    found = problems(nomination)
    if found:
        db.session.rollback()
        raise NominationProblems(found)
    before = audit.snapshot(nomination, ("status", "submitted_at"))
    nomination.status = NominationStatus.SUBMITTED
    nomination.submitted_at = at
    nomination.withdrawn_at = None
    nomination.updated_at = nomination.submitted_at
    audit.record(
        "nomination.submit",
        nomination,
        actor=actor,
        before=before,
        after=audit.snapshot(nomination, ("status", "submitted_at")),
        round_id=nomination.category.round_id,
    )
    _queue(nomination, "submitted", f"{nomination.submitted_at.isoformat()}")
    db.session.commit()
    return nomination


def update(
    nomination: Nomination,
    data: NominationData,
    *,
    actor: User,
    documents: DocumentChanges | None = None,
) -> SaveResult:
    """Edit a submitted nomination until the closing time: all of it or nothing, so a
    submitted nomination stays complete."""
    _require_nominator(nomination, actor)
    _lock(nomination)
    category = nomination.category
    _require_open(category.round, stored=True)
    if nomination.status != NominationStatus.SUBMITTED:
        raise WorkflowError("Only a submitted nomination can be edited this way.")
    work = _FileWork()
    try:
        before = audit.snapshot(nomination, NOMINATION_FIELDS)
        _apply_data(nomination, category, data, actor)
        nomination.updated_at = now()
        db.session.flush()
        _record_changes(nomination, before, actor)
        refused = _apply_documents(nomination, documents, actor, work)
        db.session.flush()
        found: list[tuple[str | None, str]] = [(e.field, e.message) for e in refused]
        found += problems(nomination)
        if found:
            raise NominationProblems(found)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        work.undo()
        raise
    work.finish()
    return SaveResult(nomination, [], duplicate_count(nomination))


def withdraw(nomination: Nomination, *, actor: User) -> Nomination:
    _require_nominator(nomination, actor)
    _lock(nomination)
    at = _require_open(nomination.category.round, stored=True)
    if nomination.status != NominationStatus.SUBMITTED:
        raise WorkflowError("Only a submitted nomination can be withdrawn.")
    nomination.status = NominationStatus.WITHDRAWN
    nomination.withdrawn_at = at
    nomination.updated_at = nomination.withdrawn_at
    audit.record(
        "nomination.withdraw",
        nomination,
        actor=actor,
        before={"status": NominationStatus.SUBMITTED.value},
        after={"status": nomination.status, "withdrawn_at": nomination.withdrawn_at},
        round_id=nomination.category.round_id,
    )
    _queue(nomination, "withdrawn", nomination.withdrawn_at.isoformat())
    db.session.commit()
    return nomination


# --- changes by administrators --------------------------------------------------------------


def mark_ineligible(nomination: Nomination, *, actor: User, reason: str) -> Nomination:
    """An administrator takes a nomination out as ineligible; the nominator is told why."""
    policy.authorize("nomination.manage", actor, nomination)
    _lock(nomination)
    reason = _clean(reason, multiline=True)
    if not reason:
        raise WorkflowError("Give the reason; the nominator will read it.", "reason")
    if len(reason) > MAX_REASON_CHARS:
        raise WorkflowError(f"Keep the reason under {MAX_REASON_CHARS} characters.", "reason")
    if nomination.status not in INELIGIBLE_FROM:
        raise WorkflowError(
            f"A nomination that is {nomination.status.replace('_', ' ')} cannot be marked "
            "ineligible."
        )
    before = audit.snapshot(nomination, ("status", "ineligible_reason"))
    nomination.status = NominationStatus.INELIGIBLE
    nomination.ineligible_reason = reason
    nomination.updated_at = now()
    audit.record(
        "nomination.mark_ineligible",
        nomination,
        actor=actor,
        before=before,
        after=audit.snapshot(nomination, ("status", "ineligible_reason")),
        round_id=nomination.category.round_id,
    )
    _queue(nomination, "ineligible", nomination.updated_at.isoformat())
    db.session.commit()
    return nomination


# --- e-mail ---------------------------------------------------------------------------------

SUBJECTS = {
    "submitted": "Nomination received: {nominee} for {category}",
    "withdrawn": "Nomination withdrawn: {nominee} for {category}",
    "ineligible": "Nomination marked ineligible: {nominee} for {category}",
}


def nomination_link(nomination: Nomination) -> str:
    """An absolute link to the nominator's page of a nomination (BASE_URL + path)."""
    try:
        path = current_app.url_map.bind("localhost").build(
            "nominate.edit", {"nomination_id": nomination.id}
        )
    except Exception:  # the nominate blueprint is not registered (e.g. a bare CLI app)
        path = f"/nominations/{nomination.id}"
    return current_app.config["BASE_URL"].rstrip("/") + path


def _queue(nomination: Nomination, event: str, occasion: str) -> None:
    category = nomination.category
    nominee = nomination.nominee_name or nomination.nominee_email or "a nominee"
    queue_email(
        dedupe_key=f"nomination-{event}:{nomination.id}:{occasion}",
        recipient=nomination.nominator.email,
        subject=SUBJECTS[event].format(nominee=nominee, category=category.name),
        template=f"nomination_{event}",
        nomination=nomination,
        nominator=nomination.nominator,
        category=category,
        award_round=category.round,
        prize=format_amount(category.prize_amount, category.currency),
        closes=format_local(category.round.closes_at),
        link=nomination_link(nomination),
    )
