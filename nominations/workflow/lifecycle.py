"""A round's life on the clock: opening when its time comes, closing at its closing time.

The scheduler calls these functions at every tick; they act on what is due according to the
rows in the database, so a tick that runs late (the scheduler was down) catches up, and a tick
that runs twice, or on two processes at once, changes nothing twice: each transition is a
conditional UPDATE (``... WHERE status IN (draft, open) AND closes_at <= now``) that only one
run wins, and the notifications go out in the same transaction, each with its own
deduplication key.

Whether a call accepts nominations never waits for these functions: ``workflow.calls`` decides
by the clock alone. Closing a round is what makes it *stay* closed (a later change of the
closing date does not reopen it) and what tells the panel and the admins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from nominations.mail.letters import Letter, queue_letters
from nominations.models import (
    REVIEWABLE_STATUSES,
    AwardCategory,
    AwardRound,
    Nomination,
    NominationStatus,
    RoundStatus,
    db,
)
from nominations.timeutil import now as current_time
from nominations.workflow import audit
from nominations.workflow.conflicts import sync_automatic_conflicts
from nominations.workflow.nominee_notice import queue_nominee_notices
from nominations.workflow.reminders.recipients import (
    active_admins,
    missing_review_counts,
    panel_members,
)
from nominations.workflow.reminders.sending import queue_call_opened

log = logging.getLogger(__name__)

OPENABLE = (RoundStatus.DRAFT,)
CLOSABLE = (RoundStatus.DRAFT, RoundStatus.OPEN)


@dataclass
class LifecycleReport:
    done: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.done or self.errors)


def _transition(round_id: int, condition: list, new_status: RoundStatus, at: datetime) -> bool:
    """Set the status if the condition still holds; True for the one run that wins."""
    result = db.session.execute(
        db.update(AwardRound)
        .where(AwardRound.id == round_id, *condition)
        .values(status=new_status, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# ---------------------------------------------------------------------------------------------
# Opening


def _opening_condition(at: datetime) -> list:
    has_category = (
        db.select(AwardCategory.id).where(AwardCategory.round_id == AwardRound.id).exists()
    )
    return [
        AwardRound.status.in_(OPENABLE),
        # Opening is a deliberate step (workflow.opening): an administrator confirmed it, and
        # the round has something to nominate for.
        AwardRound.opening_confirmed_at.is_not(None),
        has_category,
        AwardRound.opens_at <= at,
        AwardRound.closes_at > at,  # a call whose time passed entirely is closed, not opened
    ]


def open_round_if_due(round_id: int, at: datetime) -> tuple[AwardRound, int] | None:
    """Open one round if its time has come; the call-opened message goes with it, once.

    Returns the round and how many messages were queued, or None when it was not due (or
    another run opened it first)."""
    if not _transition(round_id, _opening_condition(at), RoundStatus.OPEN, at):
        return None  # the update changed no row: nothing to undo
    award_round = db.session.get(AwardRound, round_id, populate_existing=True)
    queued = queue_call_opened(award_round, at)
    audit.record(
        "round.open",
        award_round,
        actor=None,
        before={"status": RoundStatus.DRAFT.value},
        after={"status": RoundStatus.OPEN.value, "notified": queued},
        round_id=award_round.id,
    )
    db.session.flush()
    return award_round, queued


def open_due_rounds(now: datetime | None = None) -> LifecycleReport:
    """Open every confirmed draft round whose opening time has come (and whose call has not
    ended); the others stay closed (``opening.hold_unready_rounds`` tells the admins)."""
    at = now or current_time()
    report = LifecycleReport()
    due = db.session.execute(
        db.select(AwardRound.id)
        .where(*_opening_condition(at))
        .order_by(AwardRound.opens_at, AwardRound.id)
    ).scalars()
    for round_id in list(due):
        try:
            # A savepoint per round inside the job's one transaction: one broken round must
            # not undo (nor block) the others.
            with db.session.begin_nested():
                opened = open_round_if_due(round_id, at)
        except Exception as error:
            log.exception("Opening round %s failed", round_id)
            report.errors.append(f"open round {round_id}: {type(error).__name__}: {error}")
            continue
        if opened is not None:
            award_round, queued = opened
            report.done.append(f"opened {award_round.title} ({queued} call-opened messages)")
    return report


# ---------------------------------------------------------------------------------------------
# Closing


@dataclass
class CategoryCounts:
    category: AwardCategory
    submitted: int = 0
    drafts: int = 0
    withdrawn: int = 0
    ineligible: int = 0


def category_counts(award_round: AwardRound) -> list[CategoryCounts]:
    """Nominations per category and status, in one grouped query."""
    counts = {c.id: CategoryCounts(c) for c in award_round.categories}
    rows = db.session.execute(
        db.select(Nomination.category_id, Nomination.status, db.func.count(Nomination.id))
        .join(AwardCategory, AwardCategory.id == Nomination.category_id)
        .where(AwardCategory.round_id == award_round.id)
        .group_by(Nomination.category_id, Nomination.status)
    ).all()
    for category_id, status, count in rows:
        row = counts[category_id]
        if status in REVIEWABLE_STATUSES:
            row.submitted += count
        elif status == NominationStatus.DRAFT:
            row.drafts += count
        elif status == NominationStatus.WITHDRAWN:
            row.withdrawn += count
        elif status == NominationStatus.INELIGIBLE:
            row.ineligible += count
    return list(counts.values())


def _closing_condition(at: datetime) -> list:
    return [AwardRound.status.in_(CLOSABLE), AwardRound.closes_at <= at]


def _notify_closed(award_round: AwardRound, counts: list[CategoryCounts]) -> tuple[int, int]:
    """Reviewing is open (to each panel member: how many he has to review, and a link to his
    list; no names, so a forwarded or misdirected e-mail discloses no nominee) and the close
    summary (to each admin); each kind rendered once per language, queued in bulk, each
    message once."""
    owed = missing_review_counts(award_round)

    def reviewing_subject() -> str:  # called in each recipient's language
        return _("Reviewing is open: %(round)s", round=award_round.title)

    panel = queue_letters(
        "reviewing_open",
        [
            Letter(
                f"lifecycle:reviewing_open:r{award_round.id}:u{user.id}",
                user,
                reviewing_subject,
                (("count", owed.get(user.id, 0)),),
            )
            for user in panel_members(award_round)
        ],
        award_round=award_round,
    )
    totals = CategoryCounts(category=None)  # type: ignore[arg-type]
    for row in counts:
        totals.submitted += row.submitted
        totals.drafts += row.drafts
        totals.withdrawn += row.withdrawn
        totals.ineligible += row.ineligible

    def summary_subject() -> str:
        return ngettext(
            "Call closed: %(round)s, %(num)d nomination submitted",
            "Call closed: %(round)s, %(num)d nominations submitted",
            totals.submitted,
            round=award_round.title,
        )

    admins = queue_letters(
        "close_summary",
        [
            Letter(f"lifecycle:close_summary:r{award_round.id}:u{user.id}", user, summary_subject)
            for user in active_admins()
        ],
        award_round=award_round,
        counts=counts,
        totals=totals,
    )
    return len(panel), len(admins)


def close_round_if_due(round_id: int, at: datetime) -> tuple[AwardRound, int, int] | None:
    """Close one round if its closing time has passed; tell the panel and the admins, once.

    Returns the round and the messages queued to the panel and to admins, or None when it was
    not due (or another run closed it first).

    Nominations are locked from then on: the nominations workflow refuses changes once
    ``calls.accepts_nominations`` is false, which the closed status keeps false whatever the
    dates say later. Drafts stay drafts (nothing is lost); the summary counts them.
    """
    # One conditional update per status it may close from, and no read before them: on SQLite
    # a read inside the job's savepoint would make the write fail at once ('database is
    # locked') when another job is writing, instead of waiting its turn.
    previous = None
    for status in CLOSABLE:
        condition = [AwardRound.status == status, AwardRound.closes_at <= at]
        if _transition(round_id, condition, RoundStatus.CLOSED, at):
            previous = status.value
            break
    if previous is None:
        return None  # not due, or another run closed it first: no row changed
    award_round = db.session.get(AwardRound, round_id, populate_existing=True)
    sync_automatic_conflicts(award_round)  # nominee details are final now
    counts = category_counts(award_round)
    panel, admins = _notify_closed(award_round, counts)
    nominees = queue_nominee_notices(award_round)  # only where the round asks for it
    audit.record(
        "round.close",
        award_round,
        actor=None,
        before={"status": previous},
        after={
            "status": RoundStatus.CLOSED.value,
            "counts": {
                row.category.name: {
                    "submitted": row.submitted,
                    "drafts": row.drafts,
                    "withdrawn": row.withdrawn,
                    "ineligible": row.ineligible,
                }
                for row in counts
            },
            "notified_panel": panel,
            "notified_admins": admins,
            "notified_nominees": nominees,
        },
        round_id=award_round.id,
    )
    db.session.flush()
    return award_round, panel, admins


def close_due_rounds(now: datetime | None = None) -> LifecycleReport:
    """Close every open (or never opened) round whose closing time has passed."""
    at = now or current_time()
    report = LifecycleReport()
    due = db.session.execute(
        db.select(AwardRound.id)
        .where(*_closing_condition(at))
        .order_by(AwardRound.closes_at, AwardRound.id)
    ).scalars()
    for round_id in list(due):
        try:
            with db.session.begin_nested():  # one broken round must not undo the others
                closed = close_round_if_due(round_id, at)
        except Exception as error:
            log.exception("Closing round %s failed", round_id)
            report.errors.append(f"close round {round_id}: {type(error).__name__}: {error}")
            continue
        if closed is not None:
            award_round, panel, admins = closed
            report.done.append(
                f"closed {award_round.title} ({panel} to the panel, {admins} summaries to admins)"
            )
    return report
