"""Conflicts of interest: declared by reviewers, automatic by rule, cleared by the chair.

A reviewer declares a conflict on a nomination they can see (kind and reason required); from
then on they no longer see it, its attachments or its reviews, and their review does not count
in its ranking. Declarations cannot be withdrawn by the reviewer.

Automatic conflicts (the reviewer is the nominee or the nominator, or, when the round's
``department_conflicts`` is set, works in the nominee's department) are in force by rule
(``workflow/assignment.py``, evaluated from the data) and are also stored as rows with
``automatic=True`` by :func:`sync_automatic_conflicts`, idempotently (INSERT ... ON CONFLICT DO
NOTHING on the (nomination, reviewer) key), once the call has closed, so that the chair sees
them. The sync runs when what it depends on changes (the call closes, panel membership, a
nomination's nominee, a user's department, the round's department setting), never while a
page is shown; a page that needs the rows before the close was processed lists the automatic
conflicts by rule (:func:`unstored_automatic_conflicts`). A chair
clears a wrong automatic conflict with a reason; the row stays (cleared), so the next sync does
not bring it back. Only automatic conflicts can be cleared, and never by the person concerned.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy.dialects import postgresql, sqlite

from nominations import policy
from nominations.languages import in_language
from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    ConflictKind,
    ConflictOfInterest,
    Nomination,
    Panel,
    PanelMember,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import now
from nominations.workflow import access, assignment, audit
from nominations.workflow.errors import PermissionDenied, WorkflowError
from nominations.workflow.text import clean

# Labels and reasons are lazy: shown in the reader's language.
DECLARABLE_KINDS: tuple[tuple[ConflictKind, str], ...] = (
    (ConflictKind.COLLABORATOR, _l("Collaborator (joint grants, papers or projects)")),
    (ConflictKind.SUPERVISOR, _l("Supervisor or supervisee")),
    (ConflictKind.SAME_GROUP, _l("Same research group")),
    (ConflictKind.PERSONAL, _l("Personal relationship")),
    (ConflictKind.OTHER, _l("Other")),
)
KIND_LABELS: dict[str, str] = {
    **{kind.value: label for kind, label in DECLARABLE_KINDS},
    ConflictKind.IS_NOMINEE.value: _l("Is the nominee (automatic)"),
    ConflictKind.IS_NOMINATOR.value: _l("Is the nominator (automatic)"),
    ConflictKind.SAME_DEPARTMENT.value: _l("Same department as the nominee (automatic)"),
}
# The reason of an automatic conflict: stored in English, shown in the reader's language.
AUTOMATIC_REASONS: dict[str, str] = {
    ConflictKind.IS_NOMINEE.value: _l("The reviewer's e-mail is the nominee's."),
    ConflictKind.IS_NOMINATOR.value: _l("The reviewer submitted this nomination."),
    ConflictKind.SAME_DEPARTMENT.value: _l("The reviewer works in the nominee's department."),
}
MAX_REASON = 2000
CONFLICT_FIELDS = ("kind", "automatic", "reason", "cleared_at", "cleared_by_id", "cleared_reason")


def _insert_ignoring_existing(rows: list[dict]) -> int:
    """INSERT ... ON CONFLICT (nomination_id, reviewer_id) DO NOTHING; the number written."""
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = (
        insert(ConflictOfInterest)
        .values(rows)
        .on_conflict_do_nothing(
            index_elements=[ConflictOfInterest.nomination_id, ConflictOfInterest.reviewer_id]
        )
        .returning(ConflictOfInterest.id)
    )
    return len(db.session.execute(statement).all())


def sync_automatic_conflicts(award_round: AwardRound, reviewer: User | None = None) -> int:
    """Store the round's automatic conflicts (of one reviewer, or of all panel members) as
    rows, so that the chair sees and can clear them; idempotent; only once the call has closed
    (nominee details are final then). The rule is ``assignment.automatic_kind``; visibility
    never waits for these rows. Changes and flushes (the caller commits); returns how many rows
    were written (a constant number of queries)."""
    if not access.call_closed(award_round):
        return 0
    kind = assignment.automatic_kind(User)
    statement = (
        assignment.nominations_in_round(Nomination.id, User.id, kind)
        .join(User, and_(User.is_reviewer.is_(True), assignment.covering_clause(User.id)))
        .where(
            AwardRound.id == award_round.id,
            Nomination.status.in_(list(REVIEWABLE_STATUSES)),
            kind.is_not(None),
        )
    )
    if reviewer is not None:
        statement = statement.where(User.id == reviewer.id)
    stamp = now()
    rows = [
        {
            "nomination_id": nomination_id,
            "reviewer_id": user_id,
            "kind": kind_value,
            "automatic": True,
            "reason": _automatic_reason(ConflictKind(kind_value)),
            "declared_at": stamp,
            "cleared_reason": "",
        }
        for nomination_id, user_id, kind_value in db.session.execute(statement).all()
    ]
    written = _insert_ignoring_existing(rows)
    removed = _remove_stale(
        award_round, reviewer, {(r["nomination_id"], r["reviewer_id"]) for r in rows}
    )
    if written or removed:
        audit.record(
            "conflict.automatic",
            award_round,
            actor=None,
            after={
                "stored": written,
                "removed": removed,
                "reviewer_id": reviewer.id if reviewer else None,
            },
            round_id=award_round.id,
        )
    db.session.flush()
    return written


def sync_user_conflicts(user: User) -> None:
    """After a change to ``user`` (e.g. the department): sync the rounds they review in."""
    rounds = db.session.execute(
        db.select(AwardRound)
        .join(Panel, Panel.round_id == AwardRound.id)
        .join(PanelMember, PanelMember.panel_id == Panel.id)
        .where(PanelMember.user_id == user.id)
        .distinct()
    ).scalars()
    for award_round in list(rounds):
        sync_automatic_conflicts(award_round, reviewer=user)


def _remove_stale(award_round: AwardRound, reviewer: User | None, pairs: set) -> int:
    """Delete stored automatic conflicts, never cleared, whose rule no longer applies (the
    round's department setting was switched off, or the reviewer left the panel)."""
    statement = (
        db.select(ConflictOfInterest)
        .join(Nomination, Nomination.id == ConflictOfInterest.nomination_id)
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .where(
            AwardCategory.round_id == award_round.id,
            ConflictOfInterest.automatic.is_(True),
            ConflictOfInterest.cleared_at.is_(None),
        )
    )
    if reviewer is not None:
        statement = statement.where(ConflictOfInterest.reviewer_id == reviewer.id)
    stale = [
        row
        for row in db.session.execute(statement).scalars()
        if (row.nomination_id, row.reviewer_id) not in pairs
    ]
    for row in stale:
        db.session.delete(row)
    return len(stale)


def _automatic_reason(kind: ConflictKind) -> str:
    with in_language("en"):  # the stored text; pages show AUTOMATIC_REASONS translated
        return str(AUTOMATIC_REASONS[kind.value])


def declare_conflict(nomination: Nomination, *, kind: str, reason: str, actor: User):
    """The reviewer ``actor`` declares a conflict with ``nomination``."""
    policy.authorize("conflict.declare", actor, nomination)
    award_round = nomination.category.round
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(_("The round's results are published."))
    if kind not in {k.value for k, _label in DECLARABLE_KINDS}:
        raise WorkflowError(_("Choose the kind of conflict."), "kind")
    reason = clean(reason, multiline=True)
    if not reason:
        raise WorkflowError(_("Say briefly why (the chair reads it)."), "reason")
    if len(reason) > MAX_REASON:
        raise WorkflowError(
            _("Keep the reason under %(num)d characters.", num=MAX_REASON), "reason"
        )
    row = access.conflict_row(actor, nomination)
    before = audit.snapshot(row, CONFLICT_FIELDS) if row is not None else None
    if row is None:
        row = ConflictOfInterest(nomination_id=nomination.id, reviewer_id=actor.id)
        db.session.add(row)
    # A cleared (automatic) row is taken over by the declaration and in force again.
    row.kind, row.automatic, row.reason = kind, False, reason
    row.declared_at = now()
    row.cleared_at, row.cleared_by_id, row.cleared_reason = None, None, ""
    db.session.flush()
    audit.record(
        "conflict.declare",
        row,
        actor=actor,
        before=before,
        after=audit.snapshot(row, CONFLICT_FIELDS) | {"nomination_id": nomination.id},
        round_id=award_round.id,
    )
    db.session.flush()
    return row


def record_coauthor_conflict(
    nomination: Nomination, reviewer: User, *, shared: list[str], reason: str, actor: User
) -> ConflictOfInterest:
    """The chair (or an administrator) accepted a proposed co-authorship conflict
    (workflow/publications/matching.py, which checks who may): recorded as if the reviewer
    had declared a collaboration, so it stands and cannot be cleared. A cleared automatic row
    is taken over, as by a declaration."""
    row = access.conflict_row(reviewer, nomination)
    before = audit.snapshot(row, CONFLICT_FIELDS) if row is not None else None
    if row is None:
        row = ConflictOfInterest(nomination_id=nomination.id, reviewer_id=reviewer.id)
        db.session.add(row)
    # Stored in English, like the automatic reasons: the publications and the chair's words.
    row.kind, row.automatic = ConflictKind.COLLABORATOR.value, False
    row.reason = f"Shared publications: {'; '.join(shared)}. {reason}"[: MAX_REASON * 2]
    row.declared_at = now()
    row.cleared_at, row.cleared_by_id, row.cleared_reason = None, None, ""
    db.session.flush()
    audit.record(
        "conflict.coauthor",
        row,
        actor=actor,
        before=before,
        after=audit.snapshot(row, CONFLICT_FIELDS) | {"nomination_id": nomination.id},
        round_id=nomination.category.round_id,
    )
    db.session.flush()
    return row


def clear_conflict(conflict: ConflictOfInterest, *, reason: str, actor: User):
    """The chair (or an admin) clears a wrong automatic conflict; the reason is logged."""
    nomination = conflict.nomination
    category = nomination.category
    policy.authorize("conflict.clear", actor, conflict)
    if category.round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(_("The round's results are published."))
    if conflict.reviewer_id == actor.id:
        raise PermissionDenied(
            _("You cannot clear your own conflict of interest; ask an administrator.")
        )
    if not conflict.automatic:
        raise WorkflowError(
            _("Only automatic conflicts can be cleared; a declared conflict stands."), "reason"
        )
    if conflict.cleared_at is not None:
        raise WorkflowError(_("This conflict is already cleared."), "reason")
    reason = clean(reason, multiline=True)
    if not reason:
        raise WorkflowError(_("Give the reason for clearing it (it is logged)."), "reason")
    if len(reason) > MAX_REASON:
        raise WorkflowError(
            _("Keep the reason under %(num)d characters.", num=MAX_REASON), "reason"
        )
    before = audit.snapshot(conflict, CONFLICT_FIELDS)
    conflict.cleared_at = now()
    conflict.cleared_by_id = actor.id
    conflict.cleared_reason = reason
    db.session.flush()
    audit.record(
        "conflict.clear",
        conflict,
        actor=actor,
        before=before,
        after=audit.snapshot(conflict, CONFLICT_FIELDS),
        round_id=category.round_id,
    )
    db.session.flush()
    return conflict


def round_conflicts(award_round: AwardRound) -> list[ConflictOfInterest]:
    """Every stored conflict of the round, with nomination, category and reviewer loaded."""
    return list(
        db.session.execute(
            db.select(ConflictOfInterest)
            .join(Nomination, Nomination.id == ConflictOfInterest.nomination_id)
            .join(AwardCategory, AwardCategory.id == Nomination.category_id)
            .where(AwardCategory.round_id == award_round.id)
            .options(
                db.contains_eager(ConflictOfInterest.nomination).contains_eager(
                    Nomination.category
                ),
                db.joinedload(ConflictOfInterest.reviewer),
            )
            .order_by(AwardCategory.position, Nomination.nominee_name, ConflictOfInterest.id)
        ).scalars()
    )


def conflicts_shown_to(
    viewer: User, award_round: AwardRound, overseen: set[int] | None
) -> tuple[list[ConflictOfInterest], int]:
    """The round's conflicts in the categories ``viewer`` oversees (None: all), and how many
    nominations were left out because the viewer himself has a conflict with them: not even
    another reviewer's conflict may name such a nomination to him."""
    own = assignment.conflicted_nomination_ids(viewer, award_round)
    shown = [
        c
        for c in round_conflicts(award_round)
        if overseen is None or c.nomination.category_id in overseen
    ]
    rows = [c for c in shown if c.nomination_id not in own]
    return rows, len({c.nomination_id for c in shown if c.nomination_id in own})


def hidden_counts(user: User, round_ids: Iterable[int]) -> dict[int, int]:
    """Per round: how many submitted nominations of its covered categories ``user`` does not
    see because of a conflict (a number only: names would tell what is hidden); one query for
    all the rounds, rounds with none left out."""
    statement = (
        db.select(AwardRound.id, db.func.count(Nomination.id))
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .join(AwardRound, AwardRound.id == AwardCategory.round_id)
        .where(
            AwardRound.id.in_(list(round_ids)),
            Nomination.status.in_(list(REVIEWABLE_STATUSES)),
            access.call_closed_clause(),
            access.covering_panel_clause(user.id),
            access.conflict_clause(user),
        )
        .group_by(AwardRound.id)
    )
    return dict(db.session.execute(statement).all())
