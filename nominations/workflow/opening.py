"""Opening a round is a deliberate step: an administrator sees the announcement and confirms.

A round opens (its call accepts nominations, staff get the call-opened e-mail) only when it is
ready (at least one category, each of which has its prize; a closing time still ahead) and an
administrator has confirmed the opening after seeing the announcement and how many people it
goes to. Confirmed before its opening time, the round opens then (the scheduler's
``lifecycle.open_due_rounds``); confirmed after it, it opens at once.

A round whose opening time comes while it is not ready stays closed, and the administrators
are told once (``hold_unready_rounds``: an e-mail; the admin round pages show a banner from
``held_rounds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _

from nominations import policy
from nominations.languages import current_language, in_language, recipient_language
from nominations.mail import queue_email
from nominations.mail.outbox import render_message
from nominations.models import AwardCategory, AwardRound, ReminderKind, RoundStatus, User, db
from nominations.timeutil import format_local
from nominations.timeutil import now as current_time
from nominations.workflow import audit
from nominations.workflow.errors import WorkflowError
from nominations.workflow.lifecycle import LifecycleReport, open_round_if_due
from nominations.workflow.reminders.recipients import active_admins, active_staff
from nominations.workflow.reminders.sending import call_opened_message, is_enabled


@dataclass(frozen=True)
class Announcement:
    """The call-opened e-mail as one recipient will read it, and how many get it."""

    subject: str
    text: str
    recipients: int
    enabled: bool  # the round's "call opened" reminder rule; off: the round opens silently


@dataclass(frozen=True)
class OpeningResult:
    opened: bool  # opened now (else it opens at its opening time)
    queued: int  # announcements queued now
    already: bool = False  # confirmed before (a second press changes nothing)


def opening_problems(award_round: AwardRound, at: datetime | None = None) -> list[str]:
    """What keeps the round from opening, in words for the administrator (in the language in
    force); empty when ready."""
    at = at or current_time()
    problems = []
    if not award_round.categories:
        problems.append(_("Add at least one category with its prize."))
    if award_round.closes_at <= at:
        problems.append(
            _(
                "The closing time (%(closes)s) has passed: move it later first.",
                closes=format_local(award_round.closes_at),
            )
        )
    return problems


def _held_problems(award_round: AwardRound, at: datetime) -> list[str]:
    """Why a round whose opening time has come did not open (in the language in force)."""
    problems = opening_problems(award_round, at)
    if award_round.opening_confirmed_at is None:
        problems.append(_("Review the announcement and confirm the opening."))
    return problems


def announcement(award_round: AwardRound, reader: User, at: datetime | None = None) -> Announcement:
    """The announcement as ``reader`` would receive it (the preview before confirming), in
    the language of the page it is shown on; each person receives it in their own."""
    at = at or current_time()
    subject, context = call_opened_message(award_round, at)
    # The administrators' text of the kind when they edited it, as it will be sent.
    subject, text, _html = render_message(
        "call_opened", language=current_language(), subject=subject, user=reader, **context
    )
    enabled = is_enabled(award_round, ReminderKind.CALL_OPENED)
    return Announcement(subject, text, len(active_staff()) if enabled else 0, enabled)


def confirm_opening(
    award_round: AwardRound, *, actor: User, at: datetime | None = None
) -> OpeningResult:
    """The administrator confirms the opening: the round opens now if its time has come,
    else at its opening time. Pressing twice opens once and announces once."""
    policy.authorize("round.manage", actor, award_round)
    at = at or current_time()
    if award_round.status != RoundStatus.DRAFT or award_round.opening_confirmed_at is not None:
        return OpeningResult(opened=False, queued=0, already=True)
    problems = opening_problems(award_round, at)
    if problems:
        raise WorkflowError(" ".join(problems))
    award_round.opening_confirmed_at = at
    audit.record(
        "round.confirm_opening",
        award_round,
        actor=actor,
        after={
            "opening_confirmed_at": at.isoformat(),
            "opens_at": award_round.opens_at.isoformat(),
        },
        round_id=award_round.id,
    )
    db.session.flush()
    opened = open_round_if_due(award_round.id, at)
    if opened is None:
        return OpeningResult(opened=False, queued=0)
    return OpeningResult(opened=True, queued=opened[1])


def _held_condition(at: datetime) -> list:
    has_category = (
        db.select(AwardCategory.id).where(AwardCategory.round_id == AwardRound.id).exists()
    )
    return [
        AwardRound.status == RoundStatus.DRAFT,
        AwardRound.opens_at <= at,
        AwardRound.closes_at > at,
        db.or_(AwardRound.opening_confirmed_at.is_(None), ~has_category),
    ]


def held_rounds(at: datetime | None = None) -> list[AwardRound]:
    """Rounds whose opening time has come but which stay closed: not confirmed, or not ready."""
    at = at or current_time()
    return list(
        db.session.execute(
            db.select(AwardRound)
            .options(db.selectinload(AwardRound.categories))
            .where(*_held_condition(at))
            .order_by(AwardRound.opens_at)
        ).scalars()
    )


def hold_unready_rounds(at: datetime | None = None) -> LifecycleReport:
    """Tell the administrators, once per round and opening time, that a round did not open."""
    at = at or current_time()
    report = LifecycleReport()
    for award_round in held_rounds(at):
        stamp = award_round.opens_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        problems = _held_problems(award_round, at)  # for the audit log
        told = 0
        for admin in active_admins():
            language = recipient_language(admin)
            with in_language(language):
                subject = _("Not opened: %(round)s is waiting for you", round=award_round.title)
                reasons = _held_problems(award_round, at)
            told += queue_email(
                dedupe_key=f"lifecycle:opening_held:r{award_round.id}:{stamp}:u{admin.id}",
                recipient=admin.email,
                subject=subject,
                template="opening_held",
                language=language,
                user=admin,
                award_round=award_round,
                problems=reasons,
            )
        if told:
            audit.record(
                "round.opening_held",
                award_round,
                actor=None,
                after={"problems": problems, "notified_admins": told},
                round_id=award_round.id,
            )
            report.done.append(f"held {award_round.title} ({told} admins told)")
    db.session.flush()
    return report
