"""Queueing the reminders: each one recorded in ``ReminderSend`` (unique per occasion) before
its message goes to the outbox, so a reminder is sent exactly once. Each message is written in
its recipient's language (subject and body). Nothing here commits: the job
(``scheduling/jobs.py``) or the lifecycle change that called it does."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from flask_babel import gettext as _
from flask_babel import ngettext

from nominations.languages import in_language, recipient_language
from nominations.mail import queue_message
from nominations.models import (
    AwardRound,
    Nomination,
    OutboxMessage,
    ReminderKind,
    ReminderRule,
    ReminderSend,
    User,
    db,
)
from nominations.models.inserts import insert_once
from nominations.timeutil import format_local, shift_local
from nominations.timeutil import now as current_time
from nominations.workflow.reminders.recipients import active_staff, recipients_of
from nominations.workflow.reminders.schedule import (
    deadline_of,
    due_at,
    due_rules,
    rounds_with_day_rules,
)

log = logging.getLogger(__name__)

_TEMPLATES = {
    ReminderKind.CALL_CLOSING: "call_closing",
    ReminderKind.DRAFT_PENDING: "draft_pending",
    ReminderKind.REVIEW_DUE: "review_due",
}


def reminder_key(kind: str, round_id: int, days: int | None, user_id: int, deadline=None) -> str:
    """The outbox's de-duplication key of a reminder (for delivery; what was sent is read from
    ``ReminderSend``, never from these keys)."""
    if deadline is None:  # event kinds: once per round and recipient
        return f"reminder:{kind}:r{round_id}:u{user_id}"
    stamp = deadline.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"reminder:{kind}:r{round_id}:d{days}:u{user_id}:{stamp}"


def _send_once(
    kind: str,
    user: User,
    *,
    award_round: AwardRound,
    days: int | None,
    deadline: datetime | None,
    subject: Callable[[], str],
    template: str,
    **context,
) -> bool:
    """Record the reminder and queue its message, unless it was recorded before (by an
    earlier run or a concurrent one); True when it is new. ``subject()`` is called in the
    recipient's language."""
    send_id = insert_once(
        ReminderSend,
        {
            "round_id": award_round.id,
            "kind": kind,
            "user_id": user.id,
            "days_before": days or 0,
            # An event reminder's occasion is the event: the round's opening.
            "due_for": deadline or award_round.opens_at,
            "queued_at": current_time(),
        },
        [
            ReminderSend.round_id,
            ReminderSend.kind,
            ReminderSend.user_id,
            ReminderSend.days_before,
            ReminderSend.due_for,
        ],
    )
    if send_id is None:
        return False
    key = reminder_key(kind, award_round.id, days, user.id, deadline)
    language = recipient_language(user)
    with in_language(language):
        written_subject = subject()
    message_id = queue_message(
        dedupe_key=key,
        recipient=user.email,
        subject=written_subject,
        template=template,
        language=language,
        user=user,
        award_round=award_round,
        **context,
    )
    if message_id is None:  # queued before this table existed and not carried over
        message_id = db.session.execute(
            db.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
        ).scalar_one_or_none()
    db.session.execute(
        db.update(ReminderSend)
        .where(ReminderSend.id == send_id)
        .values(outbox_message_id=message_id)
    )
    return True


def _round_context(award_round: AwardRound, at: datetime) -> dict:
    """What the reminder templates read; nothing in words yet (the time left, written with
    ``|remaining(at)``, is in the recipient's language)."""
    return {"award_round": award_round, "categories": award_round.categories, "at": at}


def is_enabled(award_round: AwardRound, kind: str) -> bool:
    """Whether the round has an enabled rule of this kind (for the event kinds: call opened,
    results published)."""
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


def call_opened_subject(award_round: AwardRound) -> str:
    """The call-opened message's subject, in the language in force."""
    return _("Call for nominations open: %(round)s", round=award_round.title)


def call_opened_message(award_round: AwardRound, at: datetime) -> tuple[str, dict]:
    """The subject (in the language in force) and template context of the call-opened
    message (also its preview)."""
    return call_opened_subject(award_round), _round_context(award_round, at)


def queue_call_opened(award_round: AwardRound, at: datetime | None = None) -> int:
    """The call-opened message to all active staff, if the round's rule is enabled; once."""
    at = at or current_time()
    if not is_enabled(award_round, ReminderKind.CALL_OPENED):
        return 0
    context = _round_context(award_round, at)
    return sum(
        _send_once(
            ReminderKind.CALL_OPENED,
            user,
            days=None,
            deadline=None,
            subject=partial(call_opened_subject, award_round),
            template="call_opened",
            **context,
        )
        for user in active_staff()
    )


def _subject(kind: str, award_round: AwardRound, items: list[Nomination]) -> str:
    """A reminder's subject, in the language in force."""
    title = award_round.title
    if kind == ReminderKind.CALL_CLOSING:
        closes = format_local(award_round.closes_at)
        return _("Nominations for %(round)s close %(closes)s", round=title, closes=closes)
    if kind == ReminderKind.DRAFT_PENDING:
        if len(items) == 1:  # two messages, not ngettext: only the second names the number
            return _("Your nomination draft is not submitted yet (%(round)s)", round=title)
        return _(
            "Your nomination %(num)d drafts are not submitted yet (%(round)s)",
            num=len(items),
            round=title,
        )
    return ngettext(
        "%(num)d review still to do for %(round)s, due %(deadline)s",
        "%(num)d reviews still to do for %(round)s, due %(deadline)s",
        len(items),
        round=title,
        deadline=format_local(award_round.review_deadline),
    )


def _already_reminded(
    kind: str, award_round: AwardRound, since: datetime
) -> dict[int, list[tuple[int, datetime]]]:
    """(days_before, queued at) of the reminders of this kind for the round since ``since``,
    by recipient (user id)."""
    rows = db.session.execute(
        db.select(ReminderSend.user_id, ReminderSend.days_before, ReminderSend.queued_at).where(
            ReminderSend.round_id == award_round.id,
            ReminderSend.kind == kind,
            ReminderSend.queued_at >= since,
        )
    ).all()
    sent: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for user_id, days_before, queued_at in rows:
        sent[user_id].append((days_before, queued_at))
    return sent


def covered(sent: list[tuple[int, datetime]], rule: ReminderRule, due: datetime) -> bool:
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


def _send_kind(
    kind: str, rules: list[ReminderRule], award_round: AwardRound, at: datetime
) -> tuple[int, list[str]]:
    """Queue the due reminders of one kind for one round (rules: latest due first)."""
    since = min(shift_local(due_at(r, award_round), days=-r.days_before) for r in rules)
    reminded = _already_reminded(kind, award_round, since)
    recipients = recipients_of(kind, award_round)
    deadline = deadline_of(kind, award_round)
    context = _round_context(award_round, at)
    queued, occasions = 0, []
    for rule in rules:
        due = due_at(rule, award_round)
        count = 0
        for user, items in recipients:
            if covered(reminded[user.id], rule, due):
                continue
            count += _send_once(
                kind,
                user,
                days=rule.days_before,
                deadline=deadline,
                subject=partial(_subject, kind, award_round, items),
                template=_TEMPLATES[kind],
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
    """Queue every reminder due at ``now``; safe to run any number of times. Flushes only: the
    caller commits."""
    at = now or current_time()
    report = ReminderReport()
    for round_id in rounds_with_day_rules():
        award_round = db.session.get(AwardRound, round_id)
        queued, occasions = 0, []
        try:
            # A savepoint per round: one broken round must not undo or stop the others.
            with db.session.begin_nested():
                for kind, rules in due_rules(award_round, at).items():
                    kind_queued, kind_occasions = _send_kind(kind, rules, award_round, at)
                    queued += kind_queued
                    occasions.extend(kind_occasions)
        except Exception as error:
            log.exception("Reminders for round %s failed", round_id)
            report.errors.append(f"round {round_id}: {type(error).__name__}: {error}")
            continue
        report.queued += queued
        report.occasions.extend(occasions)
    return report
