"""Queueing the reminders: each one recorded in ``ReminderSend`` (unique per occasion) before
its message goes to the outbox, so a reminder is sent exactly once. Each message is written in
its recipient's language (subject and body; ``mail.letters`` renders a kind once per language).
Nothing here commits: the job (``scheduling/jobs.py``) or the lifecycle change that called it
does."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import literal

from nominations.mail.letters import Letter, message_ids, queue_mailing
from nominations.models import (
    AwardRound,
    ReminderKind,
    ReminderRule,
    ReminderSend,
    User,
    UTCDateTime,
    db,
)
from nominations.models.inserts import insert_select_once
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


def _record_sends(
    kind: str, award_round: AwardRound, users: list[User], days: int | None, due_for: datetime
) -> dict[int, int]:
    """Record each user's reminder of this occasion; the new rows' ids by user id. A user whose
    reminder was recorded before (by an earlier run, or a concurrent one) is left out."""
    table = ReminderSend.__table__
    constants = {
        "round_id": literal(award_round.id),
        "kind": literal(kind),
        "days_before": literal(days or 0),
        "due_for": literal(due_for, UTCDateTime),
        "queued_at": literal(current_time(), UTCDateTime),
    }
    user_ids = [user.id for user in users]
    recorded: dict[int, int] = {}
    for start in range(0, len(user_ids), 500):  # one statement per 500 people
        rows = db.select(*constants.values(), User.id).where(
            User.id.in_(user_ids[start : start + 500])
        )
        written = insert_select_once(
            ReminderSend,
            [*constants, "user_id"],
            rows,
            [table.c.round_id, table.c.kind, table.c.user_id, table.c.days_before, table.c.due_for],
            [table.c.id, table.c.user_id],
        )
        recorded.update({user_id: send_id for send_id, user_id in written})
    return recorded


def _send_all(
    kind: str,
    letters: list[Letter],
    *,
    award_round: AwardRound,
    deadline: datetime | None,
    days: int | None,
    template: str,
    **context,
) -> int:
    """Record the reminders and queue the messages of ``letters``, leaving out the people
    whose reminder was recorded before (by an earlier run or a concurrent one); how many are
    new. The records come first: two runs at once write each record once (ON CONFLICT DO
    NOTHING), and only the run that wrote it queues the message."""
    # An event reminder's occasion is the event: the round's opening.
    occasion = deadline or award_round.opens_at
    sends = _record_sends(kind, award_round, [letter.user for letter in letters], days, occasion)
    letters = [letter for letter in letters if letter.user.id in sends]
    if not letters:
        return 0
    # A key queued before ReminderSend existed (and not carried over) keeps its message: the
    # insert skips it, and the record points at the message that was queued then.
    queue_mailing(template, letters, award_round=award_round, **context)
    queued = message_ids([letter.dedupe_key for letter in letters])
    links = [
        {"send_id": sends[letter.user.id], "message_id": queued[letter.dedupe_key]}
        for letter in letters
    ]
    table = ReminderSend.__table__
    db.session.execute(
        db.update(table)
        .where(table.c.id == db.bindparam("send_id"))
        .values(outbox_message_id=db.bindparam("message_id")),
        links,
    )
    return len(letters)


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
    kind = ReminderKind.CALL_OPENED
    subject = partial(call_opened_subject, award_round)  # in each recipient's language
    letters = [
        Letter(reminder_key(kind, award_round.id, None, user.id), user, subject)
        for user in active_staff()
    ]
    context = _round_context(award_round, at)
    return _send_all(kind, letters, days=None, deadline=None, template="call_opened", **context)


def _subject(kind: str, award_round: AwardRound, count: int) -> str:
    """The subject of a reminder about ``count`` drafts or reviews (none for the closing
    call), in the language in force."""
    title = award_round.title
    if kind == ReminderKind.CALL_CLOSING:
        closes = format_local(award_round.closes_at)
        return _("Nominations for %(round)s close %(closes)s", round=title, closes=closes)
    if kind == ReminderKind.DRAFT_PENDING:
        if count == 1:  # two messages, not ngettext: only the second names the number
            return _("Your nomination draft is not submitted yet (%(round)s)", round=title)
        return _(
            "Your nomination %(num)d drafts are not submitted yet (%(round)s)",
            num=count,
            round=title,
        )
    return ngettext(
        "%(num)d review still to do for %(round)s, due %(deadline)s",
        "%(num)d reviews still to do for %(round)s, due %(deadline)s",
        count,
        round=title,
        deadline=format_local(award_round.review_deadline),
    )


def _letter(kind: str, award_round: AwardRound, rule: ReminderRule, deadline, person) -> Letter:
    """A reminder's letter; what it lists (drafts, reviews owed) is part of its wording."""
    wording = ()
    if kind != ReminderKind.CALL_CLOSING:
        wording = (("count", person.count), ("items", tuple(person.items)))
    return Letter(
        reminder_key(kind, award_round.id, rule.days_before, person.user.id, deadline),
        person.user,
        partial(_subject, kind, award_round, person.count),  # in the recipient's language
        wording,
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
        due_now = [p for p in recipients if not covered(reminded[p.user.id], rule, due)]
        count = _send_all(
            kind,
            [_letter(kind, award_round, rule, deadline, person) for person in due_now],
            days=rule.days_before,
            deadline=deadline,
            template=_TEMPLATES[kind],
            days_before=rule.days_before,
            **context,
        )
        for person in due_now:
            # Queued now, or by a concurrent run: either way it covers the earlier rules.
            reminded[person.user.id].append((rule.days_before, at))
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
