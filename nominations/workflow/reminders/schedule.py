"""When each reminder rule is due, computed from the round's current dates (never stored)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import lazy_gettext as _l

from nominations.models import AwardRound, ReminderKind, ReminderRule, RoundStatus, db
from nominations.timeutil import now as current_time
from nominations.timeutil import shift_local
from nominations.workflow.calls import opening_confirmed

# Kinds sent N days before a deadline, and kinds sent once on an event.
DAY_KINDS = (ReminderKind.CALL_CLOSING, ReminderKind.DRAFT_PENDING, ReminderKind.REVIEW_DUE)
EVENT_KINDS = (ReminderKind.CALL_OPENED, ReminderKind.RESULTS_PUBLISHED)
MAX_DAYS_BEFORE = 365

KIND_LABELS = {
    ReminderKind.CALL_OPENED: _l("Call opened"),
    ReminderKind.CALL_CLOSING: _l("Call closes soon"),
    ReminderKind.DRAFT_PENDING: _l("Your draft is not submitted yet"),
    ReminderKind.REVIEW_DUE: _l("Reviews due"),
    ReminderKind.RESULTS_PUBLISHED: _l("Results published"),
}
# Phases: call reminders while nominations are accepted, review reminders after the close.
CALL_STATUSES = (RoundStatus.DRAFT, RoundStatus.OPEN)
REVIEW_STATUSES = (RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED)


def deadline_of(kind: str, award_round: AwardRound) -> datetime | None:
    if kind in (ReminderKind.CALL_CLOSING, ReminderKind.DRAFT_PENDING):
        return award_round.closes_at
    if kind == ReminderKind.REVIEW_DUE:
        return award_round.review_deadline
    return None


def phase_start(kind: str, award_round: AwardRound) -> datetime | None:
    """The earliest moment a reminder of this kind makes sense."""
    if kind in (ReminderKind.CALL_CLOSING, ReminderKind.DRAFT_PENDING):
        return award_round.opens_at
    if kind == ReminderKind.REVIEW_DUE:
        return award_round.closes_at
    return None


def due_at(rule: ReminderRule, award_round: AwardRound | None = None) -> datetime | None:
    """When the rule's reminder is due, from the round's *current* dates."""
    award_round = award_round or rule.round
    if rule.kind == ReminderKind.CALL_OPENED:
        return award_round.opens_at
    deadline = deadline_of(rule.kind, award_round)
    if deadline is None or rule.days_before is None:
        return None
    return shift_local(deadline, days=-rule.days_before)


def _in_phase(kind: str, award_round: AwardRound) -> bool:
    if kind in (ReminderKind.CALL_CLOSING, ReminderKind.DRAFT_PENDING):
        # No call reminders for a draft nobody confirmed: it is not open (workflow.opening).
        return award_round.status in CALL_STATUSES and opening_confirmed(award_round)
    if kind == ReminderKind.REVIEW_DUE:
        return award_round.status in REVIEW_STATUSES
    return False


def rule_state(rule: ReminderRule, award_round: AwardRound, at: datetime | None = None) -> str:
    """For people: disabled, skipped, waiting, due, past, or on publishing / on opening."""
    at = at or current_time()
    if not rule.enabled:
        return "disabled"
    if rule.kind == ReminderKind.RESULTS_PUBLISHED:
        return "on publishing"
    if rule.kind == ReminderKind.CALL_OPENED:
        return "waiting" if at < award_round.opens_at else "on opening"
    due = due_at(rule, award_round)
    if due is None:
        return "skipped"
    if due < phase_start(rule.kind, award_round):
        return "skipped"
    if at < due:
        return "waiting"
    if at < deadline_of(rule.kind, award_round) and _in_phase(rule.kind, award_round):
        return "due"
    return "past"


def round_rules(award_round: AwardRound) -> list[ReminderRule]:
    return list(
        db.session.execute(
            db.select(ReminderRule)
            .where(ReminderRule.round_id == award_round.id)
            .order_by(ReminderRule.kind, ReminderRule.days_before.desc(), ReminderRule.id)
        ).scalars()
    )


def due_rules(award_round: AwardRound, at: datetime) -> dict[str, list[ReminderRule]]:
    """The round's enabled N-days-before rules due at ``at``, by kind, latest due first."""
    by_kind: dict[str, list[ReminderRule]] = defaultdict(list)
    for rule in round_rules(award_round):
        if rule.kind in DAY_KINDS and rule_state(rule, award_round, at) == "due":
            by_kind[rule.kind].append(rule)
    for rules in by_kind.values():
        rules.sort(key=lambda r: due_at(r, award_round), reverse=True)
    return by_kind


def rounds_with_day_rules() -> list[int]:
    """The rounds still before their decisions that have an enabled N-days-before rule."""
    return list(
        db.session.execute(
            db.select(AwardRound.id)
            .join(ReminderRule, ReminderRule.round_id == AwardRound.id)
            .where(
                AwardRound.status.in_(REVIEW_STATUSES),
                ReminderRule.enabled,
                ReminderRule.kind.in_(DAY_KINDS),
            )
            .distinct()
            .order_by(AwardRound.id)
        ).scalars()
    )
