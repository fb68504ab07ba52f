"""The e-mails to referees: the request (with the link), the confirmation of a letter (with
the new link), and the reminders before the letter deadline.

Each is written in the referee's language: that of the account with the referee's e-mail
address when there is one, else the nominator's (``languages.recipient_language``). A reminder
carries a fresh link (only the hash of a link is kept, so an earlier one cannot be repeated):
the link in the newest message is the one that works.

Reminders go exactly once per referee, rule ("N days before", ``REFEREE_REMINDER_DAYS``) and
deadline: the outbox's deduplication key holds all three, and is looked for under a lock on the
referee's row, so two schedulers at once send one message (and leave the link of that one).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _

from nominations.languages import in_language, localized, recipient_language
from nominations.mail import queue_email
from nominations.models import (
    AwardCategory,
    AwardRound,
    Nomination,
    OutboxMessage,
    Referee,
    User,
    db,
)
from nominations.timeutil import format_local, shift_local
from nominations.timeutil import now as current_time
from nominations.workflow.referees.links import (
    LETTER_STATUSES,
    issue_token,
    letter_deadline,
    link_for,
)


def referee_language(referee: Referee) -> str:
    account = db.session.execute(
        db.select(User).where(User.email == referee.email, User.active.is_(True))
    ).scalar_one_or_none()
    if account is not None and account.locale:
        return recipient_language(account)
    return recipient_language(referee.nomination.nominator)


def _subject(kind: str, referee: Referee, deadline: datetime) -> str:
    nomination = referee.nomination
    names = {
        "nominee": nomination.nominee_name or nomination.nominee_email,
        "category": localized(nomination.category, "name"),
    }
    if kind == "request":
        return _("Letter of reference requested: %(nominee)s for %(category)s", **names)
    if kind == "received":
        return _("Letter of reference received: %(nominee)s for %(category)s", **names)
    return _(
        "Reminder: your letter of reference for %(nominee)s is due %(deadline)s",
        deadline=format_local(deadline),
        **names,
    )


def _queue(kind: str, referee: Referee, token: str, dedupe_key: str, **extra) -> bool:
    nomination = referee.nomination
    category = nomination.category
    deadline = letter_deadline(category)
    language = referee_language(referee)
    with in_language(language):
        subject = _subject(kind, referee, deadline)
    return queue_email(
        dedupe_key=dedupe_key,
        recipient=referee.email,
        subject=subject,
        template=f"referee_{kind}",
        language=language,
        referee=referee,
        nomination=nomination,
        nominator=nomination.nominator,
        category=category,
        award_round=category.round,
        deadline=deadline,
        link=link_for(token),
        **extra,
    )


def queue_request(referee: Referee, token: str) -> None:
    _queue("request", referee, token, f"referee-request:{referee.id}:{referee.token_hash[:16]}")


def queue_received(referee: Referee, token: str, *, replaced: bool) -> None:
    key = f"referee-received:{referee.id}:{referee.token_hash[:16]}"
    _queue("received", referee, token, key, replaced=replaced)


def reminder_key(referee_id: int, days: int, deadline: datetime) -> str:
    stamp = deadline.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"referee-reminder:{referee_id}:d{days}:{stamp}"


def _reminder_days() -> list[int]:
    return sorted({int(d) for d in current_app.config["REFEREE_REMINDER_DAYS"]}, reverse=True)


def _due_days(referee: Referee, deadline: datetime, at: datetime) -> int | None:
    """The rule due for ``referee`` at ``at``: the latest "N days before" whose time has come
    (a scheduler that was down sends one reminder, not several) and that falls after the
    referee was named (a referee named 3 days before the deadline gets no 7-day reminder)."""
    due = [
        days
        for days in _reminder_days()
        if referee.created_at <= shift_local(deadline, days=-days) <= at < deadline
    ]
    return min(due) if due else None


def _pending_referees(at: datetime) -> list[Referee]:
    """Referees without a letter on nominations that still take letters, whose category's
    round has not passed its review deadline (the latest letter deadline there can be)."""
    return list(
        db.session.execute(
            db.select(Referee)
            .join(Nomination, Nomination.id == Referee.nomination_id)
            .join(AwardCategory, AwardCategory.id == Nomination.category_id)
            .join(AwardRound, AwardRound.id == AwardCategory.round_id)
            .where(
                Referee.stored_name.is_(None),
                Referee.token_hash.is_not(None),
                Nomination.status.in_(LETTER_STATUSES),
                AwardRound.review_deadline > at,
            )
            .options(
                db.contains_eager(Referee.nomination)
                .contains_eager(Nomination.category)
                .contains_eager(AwardCategory.round)
            )
            .order_by(Referee.id)
        )
        .unique()
        .scalars()
    )


def send_referee_reminders(at: datetime | None = None) -> int:
    """Queue the reminders due at ``at`` to referees who have not sent their letter; how many.
    Safe to run any number of times, late, or twice at once. Flushes only: the job commits."""
    at = at or current_time()
    queued = 0
    for referee in _pending_referees(at):
        deadline = letter_deadline(referee.nomination.category)
        days = _due_days(referee, deadline, at)
        if days is None:
            continue
        key = reminder_key(referee.id, days, deadline)
        # Hold the referee's row, then look: a second scheduler waits here and finds the key.
        locked = db.session.execute(
            db.select(Referee.id, Referee.stored_name)
            .where(Referee.id == referee.id)
            .with_for_update()
        ).first()
        if locked is None or locked.stored_name is not None:
            continue
        sent = db.session.execute(
            db.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
        ).first()
        if sent is not None:
            continue
        token = issue_token(referee)
        db.session.flush()
        if _queue("reminder", referee, token, key, days_before=days):
            queued += 1
    return queued
