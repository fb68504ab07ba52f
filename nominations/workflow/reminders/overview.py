"""What the admin pages show: a round's rules with their state and what they sent, and the
openings, closings and reminders coming next. Reads only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from nominations.models import (
    AwardRound,
    ReminderKind,
    ReminderRule,
    ReminderSend,
    RoundStatus,
    db,
)
from nominations.timeutil import now as current_time
from nominations.workflow.reminders.recipients import KIND_RECIPIENTS
from nominations.workflow.reminders.schedule import (
    CALL_STATUSES,
    DAY_KINDS,
    KIND_LABELS,
    REVIEW_STATUSES,
    due_at,
    round_rules,
    rule_state,
)


@dataclass
class RuleRow:
    rule: ReminderRule
    label: str
    recipients: str
    due: datetime | None
    state: str
    sent: int


def _sends_by_rule(award_round: AwardRound) -> dict[tuple[str, int], int]:
    """How many reminders the round sent, by (kind, days before; 0 for the event kinds)."""
    rows = db.session.execute(
        db.select(ReminderSend.kind, ReminderSend.days_before, db.func.count(ReminderSend.id))
        .where(ReminderSend.round_id == award_round.id)
        .group_by(ReminderSend.kind, ReminderSend.days_before)
    ).all()
    return {(kind, days): count for kind, days, count in rows}


def reminder_overview(award_round: AwardRound, at: datetime | None = None) -> list[RuleRow]:
    """The round's rules with their due time, state and how many reminders each has sent."""
    at = at or current_time()
    sent = _sends_by_rule(award_round)
    order = {kind: index for index, kind in enumerate(ReminderKind)}
    rows = [
        RuleRow(
            rule=rule,
            label=KIND_LABELS[ReminderKind(rule.kind)],
            recipients=KIND_RECIPIENTS[ReminderKind(rule.kind)],
            due=due_at(rule, award_round),
            state=rule_state(rule, award_round, at),
            sent=sent.get((rule.kind, rule.days_before or 0), 0),
        )
        for rule in round_rules(award_round)
    ]
    rows.sort(key=lambda row: (order[row.rule.kind], -(row.rule.days_before or 0)))
    return rows


@dataclass
class UpcomingEvent:
    when: datetime
    award_round: AwardRound
    what: str
    recipients: str = ""


def _day_rules_by_round(rounds: list[AwardRound]) -> dict[int, list[ReminderRule]]:
    rules: dict[int, list[ReminderRule]] = defaultdict(list)
    if rounds:
        for rule in db.session.execute(
            db.select(ReminderRule).where(
                ReminderRule.round_id.in_([r.id for r in rounds]),
                ReminderRule.enabled,
                ReminderRule.kind.in_(DAY_KINDS),
            )
        ).scalars():
            rules[rule.round_id].append(rule)
    return rules


def upcoming_events(at: datetime | None = None, limit: int = 25) -> list[UpcomingEvent]:
    """The next openings, closings and reminders, computed from the rounds' current dates."""
    at = at or current_time()
    rounds = list(
        db.session.execute(
            db.select(AwardRound).where(AwardRound.status.in_(REVIEW_STATUSES))
        ).scalars()
    )
    rules = _day_rules_by_round(rounds)
    events: list[UpcomingEvent] = []
    for award_round in rounds:
        if award_round.status == RoundStatus.DRAFT and award_round.closes_at > at:
            events.append(
                UpcomingEvent(award_round.opens_at, award_round, _("Open the call"), _("all staff"))
            )
        if award_round.status in CALL_STATUSES:
            events.append(
                UpcomingEvent(
                    award_round.closes_at,
                    award_round,
                    _("Close the call; tell the panel and send admins the summary"),
                    _("panel members, admins"),
                )
            )
        for rule in rules[award_round.id]:
            if rule_state(rule, award_round, at) in ("waiting", "due"):
                events.append(
                    UpcomingEvent(
                        due_at(rule, award_round),
                        award_round,
                        ngettext(
                            "Reminder: %(label)s (%(num)d day before)",
                            "Reminder: %(label)s (%(num)d days before)",
                            rule.days_before,
                            label=KIND_LABELS[ReminderKind(rule.kind)],
                        ),
                        KIND_RECIPIENTS[ReminderKind(rule.kind)],
                    )
                )
    events.sort(key=lambda event: (event.when, event.award_round.id))
    return events[:limit]
