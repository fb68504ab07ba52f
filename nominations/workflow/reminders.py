"""Reminder rules and the notifications the scheduler queues from them.

Each round has its rules (``ReminderRule``; new rounds get ``DEFAULT_REMINDERS``). Admins enable,
disable, add and remove them. Due times are never stored: they are computed from the round's
current dates at every scheduler tick, so changing a round's dates moves its reminders.

"N days before" means the same local clock time N local days earlier
(``shift_local(deadline, days=-N)``), so "7 days before 12:00" is 12:00 also across a
daylight-saving change.

A reminder of rule R is *due* for a recipient when

* the round is in the right phase (call reminders while the call is open, review reminders
  after it closed and before decisions),
* ``due <= now < deadline``, where ``due`` is computed from the round's current deadline,
* ``due`` is not before the phase began (a "14 days before closing" rule of a call that is open
  for ten days is skipped: the call-opened message covers it; likewise a review reminder whose
  time falls before the call closed), and
* the recipient was not already sent a reminder of the same kind for this round at or after
  ``due``, nor this same rule's reminder less than N days before ``due`` (``_covered``).

Exactly once: every message has a deduplication key held unique in the outbox,
``reminder:<kind>:r<round>:d<days>:u<user>:<deadline UTC>``. The occasion is the rule's
``days_before`` *and* the deadline instant it was computed for, and the last condition above
decides what happens when an admin moves a deadline:

* moved **later** by N days or more after "N days before" went out: the recipient gets a new
  "N days before" reminder N days before the new deadline (the old one is long out of date);
* moved later by less than N days after it went out (an hour, a day for a 7-day rule): not
  repeated;
* moved **earlier**: a reminder already sent inside the new window is not repeated; one not yet
  sent is sent at its new (earlier) time, at once if that time has passed;
* a scheduler that was down past several due times sends only the most recent reminder of each
  kind (not "14 days left" and "7 days left" at once).

Two scheduler processes computing the same occasion queue the same key, and the outbox's
``ON CONFLICT DO NOTHING`` keeps one.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import case, exists

from nominations import policy
from nominations.mail import queue_email
from nominations.models import (
    AwardCategory,
    AwardRound,
    Nomination,
    NominationStatus,
    OutboxMessage,
    Panel,
    PanelMember,
    ReminderKind,
    ReminderRule,
    Review,
    ReviewStatus,
    RoundStatus,
    User,
    db,
)
from nominations.timeutil import format_local, humanize_remaining, shift_local
from nominations.timeutil import now as current_time
from nominations.workflow import assignment, audit
from nominations.workflow.errors import NotFound, WorkflowError

log = logging.getLogger(__name__)

# Kinds sent N days before a deadline, and kinds sent once on an event.
DAY_KINDS = (ReminderKind.CALL_CLOSING, ReminderKind.DRAFT_PENDING, ReminderKind.REVIEW_DUE)
EVENT_KINDS = (ReminderKind.CALL_OPENED, ReminderKind.RESULTS_PUBLISHED)
MAX_DAYS_BEFORE = 365

KIND_LABELS = {
    ReminderKind.CALL_OPENED: "Call opened",
    ReminderKind.CALL_CLOSING: "Call closes soon",
    ReminderKind.DRAFT_PENDING: "Your draft is not submitted yet",
    ReminderKind.REVIEW_DUE: "Reviews due",
    ReminderKind.RESULTS_PUBLISHED: "Results published",
}
KIND_RECIPIENTS = {
    ReminderKind.CALL_OPENED: "all active staff",
    ReminderKind.CALL_CLOSING: "all active staff",
    ReminderKind.DRAFT_PENDING: "nominators with unsubmitted drafts in this round",
    ReminderKind.REVIEW_DUE: "panel members with reviews still to do, listing them",
    ReminderKind.RESULTS_PUBLISHED: "nominators and nominees (sent when results are published)",
}
# Phases: call reminders while nominations are accepted, review reminders after the close.
CALL_STATUSES = (RoundStatus.DRAFT, RoundStatus.OPEN)
REVIEW_STATUSES = (RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED)

RULE_FIELDS = ("kind", "days_before", "enabled")


# ---------------------------------------------------------------------------------------------
# When a rule is due


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
        return award_round.status in CALL_STATUSES
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


def reminder_key(kind: str, round_id: int, days: int | None, user_id: int, deadline=None) -> str:
    if deadline is None:  # event kinds: once per round and recipient
        return f"reminder:{kind}:r{round_id}:u{user_id}"
    stamp = deadline.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"reminder:{kind}:r{round_id}:d{days}:u{user_id}:{stamp}"


def _rule_prefix(rule: ReminderRule) -> str:
    if rule.days_before is None:
        return f"reminder:{rule.kind}:r{rule.round_id}:"
    return f"reminder:{rule.kind}:r{rule.round_id}:d{rule.days_before}:"


# ---------------------------------------------------------------------------------------------
# Who receives what


def active_staff() -> list[User]:
    return list(
        db.session.execute(
            db.select(User).where(User.active, User.is_staff).order_by(User.id)
        ).scalars()
    )


def active_admins() -> list[User]:
    return list(
        db.session.execute(
            db.select(User).where(User.active, User.is_admin).order_by(User.id)
        ).scalars()
    )


def drafts_by_nominator(award_round: AwardRound) -> dict[User, list[Nomination]]:
    """Active nominators with unsubmitted drafts in the round, with those drafts."""
    rows = db.session.execute(
        db.select(Nomination)
        .join(Nomination.category)
        .join(Nomination.nominator)
        .options(db.contains_eager(Nomination.category), db.contains_eager(Nomination.nominator))
        .where(
            AwardCategory.round_id == award_round.id,
            Nomination.status == NominationStatus.DRAFT,
            User.active,
        )
        .order_by(User.id, AwardCategory.position, AwardCategory.id, Nomination.id)
    ).scalars()
    result: dict[User, list[Nomination]] = {}
    for nomination in rows:
        result.setdefault(nomination.nominator, []).append(nomination)
    return result


def missing_reviews(award_round: AwardRound) -> dict[User, list[Nomination]]:
    """Each reviewer of the round and the reviews they still owe (``assignment.assignments``,
    the one rule for who reviews what), minus those they have submitted; one query."""
    reviewed = exists().where(
        Review.nomination_id == Nomination.id,
        Review.reviewer_id == User.id,
        Review.status == ReviewStatus.SUBMITTED,
    )
    rows = db.session.execute(
        assignment.assignments(award_round)
        .with_only_columns(User, Nomination)
        .where(~reviewed)
        .order_by(User.id, AwardCategory.position, AwardCategory.id, Nomination.id)
    ).all()
    result: dict[User, list[Nomination]] = {}
    for user, nomination in rows:
        result.setdefault(user, []).append(nomination)
    return result


def panel_members(award_round: AwardRound) -> list[User]:
    return list(
        db.session.execute(
            db.select(User)
            .join(PanelMember, PanelMember.user_id == User.id)
            .join(Panel, Panel.id == PanelMember.panel_id)
            .where(Panel.round_id == award_round.id, User.active)
            .distinct()
            .order_by(User.id)
        ).scalars()
    )


def _recipients(kind: str, award_round: AwardRound) -> list[tuple[User, list[Nomination]]]:
    if kind == ReminderKind.CALL_CLOSING:
        return [(user, []) for user in active_staff()]
    if kind == ReminderKind.DRAFT_PENDING:
        return list(drafts_by_nominator(award_round).items())
    if kind == ReminderKind.REVIEW_DUE:
        return list(missing_reviews(award_round).items())
    return []


# ---------------------------------------------------------------------------------------------
# Queueing


def _round_context(award_round: AwardRound, at: datetime) -> dict:
    return {
        "award_round": award_round,
        "categories": award_round.categories,
        "remaining_call": humanize_remaining(award_round.closes_at, at),
        "remaining_review": humanize_remaining(award_round.review_deadline, at),
    }


def is_enabled(award_round: AwardRound, kind: str) -> bool:
    """Whether the round has an enabled rule of this kind (for the event kinds: call opened,
    results published). The results area checks RESULTS_PUBLISHED here and queues its
    messages with ``reminder_key(ReminderKind.RESULTS_PUBLISHED, round_id, None, user_id)``."""
    return (
        db.session.execute(
            db.select(ReminderRule.id).where(
                ReminderRule.round_id == award_round.id,
                ReminderRule.kind == kind,
                ReminderRule.enabled,
            )
        ).first()
        is not None
    )


def queue_call_opened(award_round: AwardRound, at: datetime | None = None) -> int:
    """The call-opened message to all active staff, if the round's rule is enabled; once."""
    at = at or current_time()
    if not is_enabled(award_round, ReminderKind.CALL_OPENED):
        return 0
    queued = 0
    context = _round_context(award_round, at)
    for user in active_staff():
        queued += queue_email(
            dedupe_key=reminder_key(ReminderKind.CALL_OPENED, award_round.id, None, user.id),
            recipient=user.email,
            subject=f"Call for nominations open: {award_round.title}",
            template="call_opened",
            user=user,
            **context,
        )
    return queued


_TEMPLATES = {
    ReminderKind.CALL_CLOSING: "call_closing",
    ReminderKind.DRAFT_PENDING: "draft_pending",
    ReminderKind.REVIEW_DUE: "review_due",
}


def _subject(kind: str, award_round: AwardRound, items: list[Nomination]) -> str:
    if kind == ReminderKind.CALL_CLOSING:
        return f"Nominations for {award_round.title} close {format_local(award_round.closes_at)}"
    if kind == ReminderKind.DRAFT_PENDING:
        noun = "draft is" if len(items) == 1 else f"{len(items)} drafts are"
        return f"Your nomination {noun} not submitted yet ({award_round.title})"
    return (
        f"{len(items)} review{'s' if len(items) != 1 else ''} still to do for "
        f"{award_round.title}, due {format_local(award_round.review_deadline)}"
    )


def _already_reminded(
    kind: str, award_round: AwardRound, since: datetime
) -> dict[int, list[tuple[int | None, datetime]]]:
    """(days_before, queued at) of the reminders of this kind for the round since ``since``,
    by recipient (user id)."""
    prefix = f"reminder:{kind}:r{award_round.id}:"
    rows = db.session.execute(
        db.select(OutboxMessage.dedupe_key, OutboxMessage.created_at).where(
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
            OutboxMessage.created_at >= since,
        )
    ).all()
    sent: dict[int, list[tuple[int | None, datetime]]] = defaultdict(list)
    for key, created_at in rows:
        parts = {p[0]: p[1:] for p in key[len(prefix) :].split(":") if p[:1] in ("d", "u")}
        if not parts.get("u", "").isdigit():
            continue
        days = int(parts["d"]) if parts.get("d", "").isdigit() else None
        sent[int(parts["u"])].append((days, created_at))
    return sent


def _covered(sent: list[tuple[int | None, datetime]], rule: ReminderRule, due: datetime) -> bool:
    """Whether earlier reminders already did this rule's job for one recipient.

    Any reminder of the kind queued inside the rule's window (at or after ``due``) covers it
    (a scheduler catching up sends one message, not "14 days left" and "7 days left" at once).
    The same rule's reminder queued fewer than N days before ``due`` covers it too: a deadline
    moved later by less than the rule's own N days does not repeat the reminder; moved by N
    days or more, the reminder is sent again N days before the new deadline.
    """
    lookback = shift_local(due, days=-rule.days_before)
    return any(
        queued_at >= due or (days == rule.days_before and queued_at >= lookback)
        for days, queued_at in sent
    )


@dataclass
class ReminderReport:
    queued: int = 0
    occasions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.queued} reminder(s) queued"
        if self.occasions:
            text += ": " + "; ".join(self.occasions)
        if self.errors:
            text += " | errors: " + "; ".join(self.errors)
        return text


def due_rules(award_round: AwardRound, at: datetime) -> dict[str, list[ReminderRule]]:
    """The round's enabled N-days-before rules due at ``at``, by kind, latest due first."""
    by_kind: dict[str, list[ReminderRule]] = defaultdict(list)
    for rule in award_round_rules(award_round):
        if rule.kind in DAY_KINDS and rule_state(rule, award_round, at) == "due":
            by_kind[rule.kind].append(rule)
    for rules in by_kind.values():
        rules.sort(key=lambda r: due_at(r, award_round), reverse=True)
    return by_kind


def award_round_rules(award_round: AwardRound) -> list[ReminderRule]:
    return list(
        db.session.execute(
            db.select(ReminderRule)
            .where(ReminderRule.round_id == award_round.id)
            .order_by(ReminderRule.kind, ReminderRule.days_before.desc(), ReminderRule.id)
        ).scalars()
    )


def _send_kind(
    kind: str, rules: list[ReminderRule], award_round: AwardRound, at: datetime
) -> tuple[int, list[str]]:
    """Queue the due reminders of one kind for one round (rules: latest due first)."""
    since = min(shift_local(due_at(r, award_round), days=-r.days_before) for r in rules)
    reminded = _already_reminded(kind, award_round, since)
    recipients = _recipients(kind, award_round)
    deadline = deadline_of(kind, award_round)
    context = _round_context(award_round, at)
    queued, occasions = 0, []
    for rule in rules:
        due = due_at(rule, award_round)
        count = 0
        for user, items in recipients:
            if _covered(reminded[user.id], rule, due):
                continue
            count += queue_email(
                dedupe_key=reminder_key(kind, award_round.id, rule.days_before, user.id, deadline),
                recipient=user.email,
                subject=_subject(kind, award_round, items),
                template=_TEMPLATES[kind],
                user=user,
                items=items,
                days_before=rule.days_before,
                **context,
            )
            # Queued now, or by a concurrent run: either way it covers the earlier rules.
            reminded[user.id].append((rule.days_before, at))
        if count:
            occasions.append(f"{kind} {rule.days_before}d {award_round.title}: {count}")
        queued += count
    return queued, occasions


def send_due_reminders(now: datetime | None = None) -> ReminderReport:
    """Queue every reminder due at ``now``; safe to run any number of times."""
    at = now or current_time()
    report = ReminderReport()
    round_ids = db.session.execute(
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
    for round_id in list(round_ids):
        award_round = db.session.get(AwardRound, round_id)
        for kind, rules in due_rules(award_round, at).items():
            try:
                queued, occasions = _send_kind(kind, rules, award_round, at)
                db.session.commit()
            except Exception as error:  # one broken round must not stop the others
                db.session.rollback()
                log.exception("Reminders %s for round %s failed", kind, round_id)
                report.errors.append(f"{kind} round {round_id}: {type(error).__name__}: {error}")
                award_round = db.session.get(AwardRound, round_id)
                continue
            report.queued += queued
            report.occasions.extend(occasions)
    return report


# ---------------------------------------------------------------------------------------------
# What admins see and change


@dataclass
class RuleRow:
    rule: ReminderRule
    label: str
    recipients: str
    due: datetime | None
    state: str
    sent: int


def reminder_overview(award_round: AwardRound, at: datetime | None = None) -> list[RuleRow]:
    """The round's rules with their due time, state and how many messages each has queued."""
    at = at or current_time()
    rules = award_round_rules(award_round)
    counts: list[int] = []
    if rules:
        sums = [
            db.func.coalesce(
                db.func.sum(
                    case((OutboxMessage.dedupe_key.startswith(_rule_prefix(r), autoescape=True), 1))
                ),
                0,
            )
            for r in rules
        ]
        counts = list(
            db.session.execute(
                db.select(*sums).where(
                    OutboxMessage.dedupe_key.like(f"reminder:%:r{award_round.id}:%")
                )
            ).one()
        )
    order = {kind: index for index, kind in enumerate(ReminderKind)}
    rows = [
        RuleRow(
            rule=rule,
            label=KIND_LABELS[ReminderKind(rule.kind)],
            recipients=KIND_RECIPIENTS[ReminderKind(rule.kind)],
            due=due_at(rule, award_round),
            state=rule_state(rule, award_round, at),
            sent=int(count or 0),
        )
        for rule, count in zip(rules, counts, strict=True)
    ]
    rows.sort(key=lambda row: (order[row.rule.kind], -(row.rule.days_before or 0)))
    return rows


def _check_editable(award_round: AwardRound) -> None:
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError("The reminders of a published round can no longer be changed.")


def add_reminder_rule(
    award_round: AwardRound, *, kind: str, days_before: int | None, actor: User
) -> ReminderRule:
    policy.authorize("reminder.manage", actor)
    _check_editable(award_round)
    try:
        kind = ReminderKind(kind)
    except ValueError:
        raise WorkflowError("Choose which reminder to send.", "kind") from None
    if kind in DAY_KINDS:
        if days_before is None:
            raise WorkflowError("Enter how many days before the deadline.", "days_before")
        if not 1 <= days_before <= MAX_DAYS_BEFORE:
            raise WorkflowError(
                f"The number of days must be between 1 and {MAX_DAYS_BEFORE}.", "days_before"
            )
    elif days_before is not None:
        raise WorkflowError(
            f"“{KIND_LABELS[kind]}” is sent when it happens; leave the days empty.",
            "days_before",
        )
    duplicate = db.session.execute(
        db.select(ReminderRule.id).where(
            ReminderRule.round_id == award_round.id,
            ReminderRule.kind == kind,
            ReminderRule.days_before.is_(None)
            if days_before is None
            else ReminderRule.days_before == days_before,
        )
    ).first()
    if duplicate is not None:
        when = f" {days_before} days before" if days_before else ""
        raise WorkflowError(
            f"This round already has the reminder “{KIND_LABELS[kind]}”{when}.", "days_before"
        )
    rule = ReminderRule(round_id=award_round.id, kind=kind, days_before=days_before, enabled=True)
    db.session.add(rule)
    db.session.flush()
    audit.record(
        "reminder.add",
        rule,
        actor=actor,
        after=audit.snapshot(rule, RULE_FIELDS),
        round_id=award_round.id,
    )
    db.session.commit()
    return rule


def get_rule(rule_id: int) -> ReminderRule:
    rule = db.session.get(ReminderRule, rule_id)
    if rule is None:
        raise NotFound("There is no such reminder.")
    return rule


def set_reminder_enabled(rule: ReminderRule, *, enabled: bool, actor: User) -> ReminderRule:
    policy.authorize("reminder.manage", actor)
    _check_editable(rule.round)
    if rule.enabled == enabled:
        return rule
    before = audit.snapshot(rule, RULE_FIELDS)
    rule.enabled = enabled
    audit.record(
        "reminder.enable" if enabled else "reminder.disable",
        rule,
        actor=actor,
        before=before,
        after=audit.snapshot(rule, RULE_FIELDS),
        round_id=rule.round_id,
    )
    db.session.commit()
    return rule


def remove_reminder_rule(rule: ReminderRule, *, actor: User) -> None:
    policy.authorize("reminder.manage", actor)
    _check_editable(rule.round)
    audit.record(
        "reminder.remove",
        rule,
        actor=actor,
        before=audit.snapshot(rule, RULE_FIELDS),
        round_id=rule.round_id,
    )
    db.session.delete(rule)
    db.session.commit()


# ---------------------------------------------------------------------------------------------
# What is coming (the admin's scheduled-work page)


@dataclass
class UpcomingEvent:
    when: datetime
    award_round: AwardRound
    what: str
    recipients: str = ""


def upcoming_events(at: datetime | None = None, limit: int = 25) -> list[UpcomingEvent]:
    """The next openings, closings and reminders, computed from the rounds' current dates."""
    at = at or current_time()
    rounds = list(
        db.session.execute(
            db.select(AwardRound).where(AwardRound.status.in_(REVIEW_STATUSES))
        ).scalars()
    )
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
    events: list[UpcomingEvent] = []
    for award_round in rounds:
        if award_round.status == RoundStatus.DRAFT and award_round.closes_at > at:
            events.append(
                UpcomingEvent(award_round.opens_at, award_round, "Open the call", "all staff")
            )
        if award_round.status in CALL_STATUSES:
            events.append(
                UpcomingEvent(
                    award_round.closes_at,
                    award_round,
                    "Close the call; tell the panel and send admins the summary",
                    "panel members, admins",
                )
            )
        for rule in rules[award_round.id]:
            if rule_state(rule, award_round, at) in ("waiting", "due"):
                events.append(
                    UpcomingEvent(
                        due_at(rule, award_round),
                        award_round,
                        f"Reminder: {KIND_LABELS[ReminderKind(rule.kind)]} "
                        f"({rule.days_before} day{'s' if rule.days_before != 1 else ''} before)",
                        KIND_RECIPIENTS[ReminderKind(rule.kind)],
                    )
                )
    events.sort(key=lambda event: (event.when, event.award_round.id))
    return events[:limit]
