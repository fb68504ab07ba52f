"""The changes to a nomination: by its nominator (save a draft, submit, update, withdraw)
and by administrators (mark ineligible).

Each command checks its rules, changes, flushes and writes the audit record; it never
commits: the edge (the request, a CLI command, a job) commits once or rolls back. ``submit``
runs in a savepoint, so that a refused submission leaves the draft the same request saved.

- ``save_draft`` stores whatever was typed (required fields are not checked, but a draft needs
  the nominee's name to be found again) and every acceptable document; refused documents are
  reported, the rest is kept. A new nomination carries its create form's token: the same form
  sent twice (a double click, a reload, a retry after a lost answer) raises ``AlreadyCreated``
  with the nomination the first one made, even when both arrive at once (unique constraint).
  Saving a withdrawn nomination with a change makes it a draft again.
- ``save_draft`` and ``update`` change nothing when nothing was changed: no audit event, the
  status and the last change (``updated_at``) stay as they were.
- ``submit`` checks the stored draft completely and makes it submitted; a confirmation
  e-mail is queued. Each submission is a new event with its own confirmation.
- ``update`` edits a submitted nomination until the closing time; it is all or nothing, so a
  submitted nomination is always complete (the caller rolls back when it is refused).
- ``withdraw`` takes a submitted nomination out (confirmation e-mail); it can be worked on
  and submitted again before the closing time.
- ``mark_ineligible`` (administrators) with a reason; the nominator is told by e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from nominations import policy
from nominations.formatting import status_label
from nominations.models import AwardCategory, Nomination, NominationStatus, User, db
from nominations.storage import FileRefused
from nominations.timeutil import now
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.nominations.details import NominationData, apply_details
from nominations.workflow.nominations.documents import DocumentChanges, apply_documents
from nominations.workflow.nominations.notifications import notify_nominator
from nominations.workflow.nominations.queries import duplicate_count, nomination_by_token
from nominations.workflow.nominations.rules import (
    INELIGIBLE_FROM,
    MAX_REASON_CHARS,
    NOMINATOR_EDITABLE,
    AlreadySubmitted,
    NominationProblems,
    Problems,
    earlier_winner_problems,
    problems,
    require_open,
)
from nominations.workflow.questions.saving import AnswerChanges, AnswerProblems, apply_answers
from nominations.workflow.text import clean

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


NAME_NEEDED = _l(
    "Type the nominee's name first: a draft is kept under it. Nothing was saved yet; the text "
    "you typed is still in the form, documents have to be chosen again."
)


class AlreadyCreated(Exception):
    """The create form with this token was sent before: this is the nomination it made."""

    def __init__(self, nomination: Nomination) -> None:
        super().__init__(f"nomination {nomination.id} was made by this form already")
        self.nomination = nomination


@dataclass
class SaveResult:
    nomination: Nomination
    refused: list[FileRefused] = field(default_factory=list)  # documents not stored
    duplicates: int = 0  # other active nominations of the same nominee in the category
    changed: bool = True  # False: saved as it was (nothing typed or attached differed)
    # Saved, but it cannot be submitted like this (the rule on earlier winners).
    warnings: list[str] = field(default_factory=list)


def _require_nominator(nomination: Nomination, actor: User) -> None:
    # Someone else's nomination does not exist as far as they are concerned (views: 404).
    policy.authorize("nomination.edit", actor, nomination)


def _lock(nomination: Nomination) -> None:
    """Hold the row until commit (PostgreSQL) and read its latest state."""
    db.session.execute(
        db.select(Nomination.id).where(Nomination.id == nomination.id).with_for_update()
    )
    db.session.refresh(nomination)


def _attachment_ids(nomination: Nomination) -> set[int]:
    return {attachment.id for attachment in nomination.attachments}


def _changed(nomination: Nomination, before: dict, attached: set[int]) -> bool:
    """Whether a save changed the details or the documents (``before`` and ``attached`` are
    what they were)."""
    return (
        audit.snapshot(nomination, NOMINATION_FIELDS) != before
        or _attachment_ids(nomination) != attached
    )


def _apply_answers(
    nomination: Nomination, answers: AnswerChanges | None, actor: User
) -> tuple[bool, list[FileRefused]]:
    """The answers to the category's questions; answers that cannot be stored refuse the
    whole save (NominationProblems, at their fields)."""
    try:
        return apply_answers(nomination, answers, actor)
    except AnswerProblems as error:
        raise NominationProblems(error.problems) from None


def _record_changes(nomination: Nomination, before: dict | None, actor: User) -> None:
    after = audit.snapshot(nomination, NOMINATION_FIELDS)
    round_id = nomination.category.round_id
    if before is None:
        audit.record("nomination.create", nomination, actor=actor, after=after, round_id=round_id)
        return
    old, new = audit.changed(before, after)
    if new:
        audit.record(
            "nomination.update", nomination, actor=actor, before=old, after=new, round_id=round_id
        )


# --- changes by the nominator ---------------------------------------------------------------


def save_draft(
    category: AwardCategory,
    data: NominationData,
    *,
    actor: User,
    nomination: Nomination | None = None,
    documents: DocumentChanges | None = None,
    token: str | None = None,
    answers: AnswerChanges | None = None,
) -> SaveResult:
    """Store what was typed as a draft (new, or a draft or withdrawn nomination).

    Required fields are not checked. Acceptable documents are stored even when another one is
    refused; the refused ones are in ``SaveResult.refused``. A submitted nomination is changed
    with ``update`` instead. On a WorkflowError the caller rolls back.
    """
    policy.authorize("nomination.create", actor)
    if nomination is not None:
        _require_nominator(nomination, actor)
        _lock(nomination)
        category = nomination.category
    require_open(category.round, stored=nomination is not None)
    if nomination is not None and nomination.status == NominationStatus.SUBMITTED:
        raise AlreadySubmitted(
            gettext("This nomination has been submitted; use “Save changes” to edit it.")
        )
    if nomination is not None and nomination.status not in (
        NominationStatus.DRAFT,
        NominationStatus.WITHDRAWN,
    ):
        raise WorkflowError(gettext("This nomination can no longer be changed."))
    if not " ".join(clean(data.nominee_name).split()):
        raise WorkflowError(str(NAME_NEEDED), "nominee_name")
    if nomination is None:
        nomination = _create(category, actor, token)
        apply_details(nomination, category, data, actor)
        db.session.flush()
        _record_changes(nomination, None, actor)
        refused = apply_documents(nomination, documents, actor)
        refused += _apply_answers(nomination, answers, actor)[1]
        db.session.flush()
        return SaveResult(
            nomination, refused, duplicate_count(nomination), warnings=_warnings(nomination)
        )
    before = audit.snapshot(nomination, NOMINATION_FIELDS)
    attached = _attachment_ids(nomination)
    apply_details(nomination, category, data, actor)
    refused = apply_documents(nomination, documents, actor)
    answered, refused_answers = _apply_answers(nomination, answers, actor)
    refused += refused_answers
    changed = _changed(nomination, before, attached) or answered
    if changed:
        # Working on a withdrawn nomination makes it a draft again; saving it unchanged
        # leaves it withdrawn, and its last change where it was.
        nomination.status = NominationStatus.DRAFT
        nomination.updated_at = now()
    db.session.flush()
    _record_changes(nomination, before, actor)
    return SaveResult(
        nomination, refused, duplicate_count(nomination), changed, _warnings(nomination)
    )


def _warnings(nomination: Nomination) -> list[str]:
    """What the nominator learns at once on saving, rather than only at submitting."""
    return [message for _field, message in earlier_winner_problems(nomination)]


def _create(category: AwardCategory, actor: User, token: str | None) -> Nomination:
    """A new nomination row, once per create-form token.

    A nominator's creates take turns: a write to the nominator's own row (a no-op) holds the
    row lock on PostgreSQL and the write lock on SQLite until the edge commits, so a second
    request with the same token waits here and then finds the first one's nomination. The
    unique constraint stays the last word should two inserts still meet."""
    if token:
        db.session.execute(
            db.update(User)
            .where(User.id == actor.id)
            .values(id=User.id)
            .execution_options(synchronize_session=False)
        )
        existing = nomination_by_token(actor, token)
        if existing is not None:
            raise AlreadyCreated(existing)
    nomination = Nomination(category=category, nominator=actor, idempotency_token=token or None)
    try:
        with db.session.begin_nested():
            db.session.add(nomination)
            db.session.flush()
    except IntegrityError:
        existing = nomination_by_token(actor, token) if token else None
        if existing is None:
            raise
        raise AlreadyCreated(existing) from None
    return nomination


def submit(nomination: Nomination, *, actor: User) -> Nomination:
    """Submit a saved draft (or a withdrawn nomination) after checking it completely.

    The checks and the change run in a savepoint: when the submission is refused (too late,
    incomplete) only the savepoint is rolled back, and the draft saved before it, in the
    same transaction, is committed by the edge as it should be.
    """
    _require_nominator(nomination, actor)
    with db.session.begin_nested():
        _lock(nomination)
        at = require_open(nomination.category.round, stored=True)
        if nomination.status == NominationStatus.SUBMITTED:
            raise AlreadySubmitted(gettext("This nomination has already been submitted."))
        if nomination.status not in NOMINATOR_EDITABLE:
            raise WorkflowError(gettext("This nomination can no longer be changed."))
        found = problems(nomination)
        if found:
            raise NominationProblems(found)
        before = audit.snapshot(nomination, ("status", "submitted_at"))
        nomination.status = NominationStatus.SUBMITTED
        nomination.submitted_at = at
        nomination.withdrawn_at = None
        nomination.updated_at = at
        audit.record(
            "nomination.submit",
            nomination,
            actor=actor,
            before=before,
            after=audit.snapshot(nomination, ("status", "submitted_at")),
            round_id=nomination.category.round_id,
        )
        notify_nominator(nomination, "submitted", at.isoformat())
    return nomination


def update(
    nomination: Nomination,
    data: NominationData,
    *,
    actor: User,
    documents: DocumentChanges | None = None,
    answers: AnswerChanges | None = None,
) -> SaveResult:
    """Edit a submitted nomination until the closing time: all of it or nothing, so a
    submitted nomination stays complete. On a WorkflowError the caller rolls back (the
    documents this call stored are then deleted from disk)."""
    _require_nominator(nomination, actor)
    _lock(nomination)
    category = nomination.category
    require_open(category.round, stored=True)
    if nomination.status != NominationStatus.SUBMITTED:
        raise WorkflowError(gettext("Only a submitted nomination can be edited this way."))
    before = audit.snapshot(nomination, NOMINATION_FIELDS)
    attached = _attachment_ids(nomination)
    apply_details(nomination, category, data, actor)
    db.session.flush()
    _record_changes(nomination, before, actor)
    refused = apply_documents(nomination, documents, actor)
    answered, refused_answers = _apply_answers(nomination, answers, actor)
    refused += refused_answers
    changed = _changed(nomination, before, attached) or answered
    if changed:  # saved unchanged, its last change stays where it was
        nomination.updated_at = now()
    db.session.flush()
    found: Problems = [(e.field, e.message) for e in refused]
    found += problems(nomination)
    if found:
        raise NominationProblems(found)
    return SaveResult(nomination, [], duplicate_count(nomination), changed)


def withdraw(nomination: Nomination, *, actor: User) -> Nomination:
    _require_nominator(nomination, actor)
    _lock(nomination)
    at = require_open(nomination.category.round, stored=True)
    if nomination.status != NominationStatus.SUBMITTED:
        raise WorkflowError(gettext("Only a submitted nomination can be withdrawn."))
    nomination.status = NominationStatus.WITHDRAWN
    nomination.withdrawn_at = at
    nomination.updated_at = at
    audit.record(
        "nomination.withdraw",
        nomination,
        actor=actor,
        before={"status": NominationStatus.SUBMITTED.value},
        after={"status": nomination.status, "withdrawn_at": nomination.withdrawn_at},
        round_id=nomination.category.round_id,
    )
    notify_nominator(nomination, "withdrawn", at.isoformat())
    db.session.flush()
    return nomination


# --- changes by administrators --------------------------------------------------------------


def mark_ineligible(nomination: Nomination, *, actor: User, reason: str) -> Nomination:
    """An administrator takes a nomination out as ineligible; the nominator is told why."""
    policy.authorize("nomination.manage", actor, nomination)
    _lock(nomination)
    reason = clean(reason, multiline=True)
    if not reason:
        raise WorkflowError(gettext("Give the reason; the nominator will read it."), "reason")
    if len(reason) > MAX_REASON_CHARS:
        raise WorkflowError(
            gettext("Keep the reason under %(num)d characters.", num=MAX_REASON_CHARS), "reason"
        )
    if nomination.status not in INELIGIBLE_FROM:
        raise WorkflowError(
            gettext(
                "A nomination that is %(status)s cannot be marked ineligible.",
                status=status_label(nomination.status),
            )
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
    notify_nominator(nomination, "ineligible", nomination.updated_at.isoformat())
    db.session.flush()
    return nomination
