"""The admin's commands on a round's reminder rules: add, enable or disable, remove (audited;
they flush, the request commits)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from nominations import policy
from nominations.models import AwardRound, ReminderKind, ReminderRule, RoundStatus, User, db
from nominations.workflow import audit
from nominations.workflow.errors import NotFound, WorkflowError
from nominations.workflow.reminders.schedule import DAY_KINDS, KIND_LABELS, MAX_DAYS_BEFORE

RULE_FIELDS = ("kind", "days_before", "enabled")


def _check_editable(award_round: AwardRound) -> None:
    if award_round.status == RoundStatus.PUBLISHED:
        raise WorkflowError(_("The reminders of a published round can no longer be changed."))


def _check_days(kind: ReminderKind, days_before: int | None) -> None:
    if kind in DAY_KINDS:
        if days_before is None:
            raise WorkflowError(_("Enter how many days before the deadline."), "days_before")
        if not 1 <= days_before <= MAX_DAYS_BEFORE:
            raise WorkflowError(
                _("The number of days must be between 1 and %(most)d.", most=MAX_DAYS_BEFORE),
                "days_before",
            )
    elif days_before is not None:
        raise WorkflowError(
            _(
                "“%(label)s” is sent when it happens; leave the days empty.",
                label=KIND_LABELS[kind],
            ),
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
        raise WorkflowError(_("Choose which reminder to send."), "kind") from None
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
        label = KIND_LABELS[kind]
        message = (
            ngettext(
                "This round already has the reminder “%(label)s” %(num)d day before.",
                "This round already has the reminder “%(label)s” %(num)d days before.",
                days_before,
                label=label,
            )
            if days_before
            else _("This round already has the reminder “%(label)s”.", label=label)
        )
        raise WorkflowError(message, "days_before")
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
        raise NotFound(_("There is no such reminder."))
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
