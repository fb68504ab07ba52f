"""The admin's commands on a round's reminder rules: add, enable or disable, remove (audited;
they flush, the request commits)."""

from __future__ import annotations

from nominations import policy
from nominations.models import AwardRound, ReminderKind, ReminderRule, RoundStatus, User, db
from nominations.workflow import audit
from nominations.workflow.errors import NotFound, WorkflowError
from nominations.workflow.reminders.schedule import DAY_KINDS, KIND_LABELS, MAX_DAYS_BEFORE

RULE_FIELDS = ("kind", "days_before", "enabled")


def _check_editable(award_round: AwardRound) -> None:
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError("The reminders of a published round can no longer be changed.")


def _check_days(kind: ReminderKind, days_before: int | None) -> None:
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


def add_reminder_rule(
    award_round: AwardRound, *, kind: str, days_before: int | None, actor: User
) -> ReminderRule:
    policy.authorize("reminder.manage", actor)
    _check_editable(award_round)
    try:
        kind = ReminderKind(kind)
    except ValueError:
        raise WorkflowError("Choose which reminder to send.", "kind") from None
    _check_days(kind, days_before)
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
    db.session.flush()
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
    db.session.flush()
