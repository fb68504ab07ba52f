"""Delivering the outbox over SMTP (Flask-Mail), with retries and backoff.

A message is claimed with a conditional UPDATE before it is sent, so two senders running at
once never both send it. A failure keeps the message with its error and schedules another
attempt later; after MAIL_MAX_ATTEMPTS it is marked failed and shown to admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_mail import Message

from nominations.extensions import mailer
from nominations.models import OutboxMessage, OutboxStatus, db
from nominations.timeutil import now

# While a sender holds a message, others leave it alone for this long.
CLAIM_SECONDS = 300


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failure, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}"


def _claim(message_id: int, attempts: int) -> bool:
    """Take a message for sending; only one of several concurrent senders wins."""
    result = db.session.execute(
        db.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts == attempts,
            OutboxMessage.next_attempt_at <= now(),
        )
        .values(attempts=attempts + 1, next_attempt_at=now() + timedelta(seconds=CLAIM_SECONDS))
    )
    db.session.commit()
    return result.rowcount == 1


def _send(message: OutboxMessage) -> None:
    mailer.send(
        Message(
            subject=message.subject,
            recipients=[message.recipient],
            body=message.body_text,
            html=message.body_html or None,
            sender=current_app.config["MAIL_DEFAULT_SENDER"],
        )
    )


def deliver_due(limit: int = 100) -> DeliveryReport:
    report = DeliveryReport()
    due = db.session.execute(
        db.select(OutboxMessage.id, OutboxMessage.attempts)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= now(),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    # Each message is its own unit of work, committed at once: its claim before sending (so a
    # second sender leaves it alone), and its outcome right after (a message handed to the SMTP
    # server must be marked sent even if the next one fails, or it would go out twice).
    for message_id, attempts in due:
        if not _claim(message_id, attempts):
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            _send(message)
        except Exception as error:  # SMTP errors come in many classes; keep any of them
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= max_attempts:
                message.status = OutboxStatus.FAILED
                report.failed += 1
            else:
                message.next_attempt_at = now() + backoff(message.attempts)
                report.retrying += 1
            current_app.logger.warning(
                "E-mail %s to %s not delivered: %s", message.id, message.recipient, error
            )
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = now()
            message.last_error = ""
            report.sent += 1
        db.session.commit()
    return report


def retry(message: OutboxMessage) -> None:
    """Send a failed or waiting message again at the next delivery run (admin action)."""
    if message.status == OutboxStatus.SENT:
        return
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now()
    db.session.flush()
