"""Delivering the outbox over SMTP (Flask-Mail), in batches over one connection, with retries
and backoff.

Exactly once: a sender claims a batch of due messages with one conditional UPDATE (on
PostgreSQL the batch is chosen ``FOR UPDATE SKIP LOCKED``, so concurrent senders take
different messages instead of waiting for each other), committed before anything is sent.
Each message is then marked sent, and committed, as soon as the SMTP server has accepted it
and before the next one goes: a sender that dies mid-batch leaves at most the message in flight
to be sent again, and the rest of its claim waits out ``CLAIM_SECONDS`` and goes later. A
failure keeps the message with its error and schedules another attempt later; after
MAIL_MAX_ATTEMPTS it is marked failed and shown to admins.

Speed: the sender's writes are single statements on a connection of their own in autocommit
(one round trip each, no BEGIN), and a message's "sent" is committed in a helper thread while
the next message is being built (never while it is being sent), so the database's flush to disk
overlaps the building instead of adding to it.
"""

from __future__ import annotations

import smtplib
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mail import BadHeaderError, Message
from sqlalchemy import Connection, Row

from nominations.extensions import mailer
from nominations.models import OutboxMessage, OutboxStatus, db
from nominations.timeutil import now

# While a sender holds a message, others leave it alone for this long.
CLAIM_SECONDS = 300
# Messages claimed at once. A batch is given back (what is left of it) once it has taken half
# its claim, so a slow server never lets the claim run out under a message.
BATCH_SIZE = 50


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after each failure, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    more: bool = False  # stopped at its limit or time with messages still due

    def __str__(self) -> str:
        text = f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}"
        return text + (", more waiting" if self.more else "")


def _due(at: datetime):
    return (OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= at)


def mail_due(at: datetime | None = None) -> bool:
    """Whether any message waits to be sent (a read only, cheap enough to ask every second)."""
    at = at or now()
    statement = db.select(OutboxMessage.id).where(*_due(at)).limit(1)
    return db.session.execute(statement).first() is not None


class _Outbox:
    """The sender's writes to the outbox, each one statement committed on its own (autocommit):
    one round trip per message's outcome instead of BEGIN, UPDATE and COMMIT."""

    table = OutboxMessage.__table__

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"
        table = self.table
        self._mark_sent = (
            db.update(table)
            .where(table.c.id == db.bindparam("message_id"))
            .values(status=OutboxStatus.SENT, last_error="")
        )

    def claim(self, size: int) -> tuple[list[Row], datetime]:
        """Take up to ``size`` due messages for sending, longest due first; the messages (id,
        recipient, subject, bodies, attempts) and the time the claim runs out."""
        table, at = self.table, now()
        until = at + timedelta(seconds=CLAIM_SECONDS)
        due = (table.c.status == OutboxStatus.PENDING, table.c.next_attempt_at <= at)
        chosen = (
            db.select(table.c.id)
            .where(*due)
            .order_by(table.c.next_attempt_at, table.c.id)  # ix_outbox_messages_due
            .limit(size)
        )
        if self.postgresql:
            # Chosen once (a materialized CTE: as a plain subquery PostgreSQL may run it again
            # for each row and claim more than ``size``), skipping rows another sender holds.
            chosen = chosen.with_for_update(skip_locked=True).cte("chosen")
            chosen = db.select(chosen.prefix_with("MATERIALIZED").c.id)
        claimed = self.connection.execute(
            db.update(table)
            # The conditions again: on PostgreSQL they are checked once more on each row the
            # statement waited for; SQLite runs one writer at a time anyway.
            .where(table.c.id.in_(chosen.scalar_subquery()), *due)
            .values(attempts=table.c.attempts + 1, next_attempt_at=until)
            .returning(
                table.c.id,
                table.c.recipient,
                table.c.subject,
                table.c.body_text,
                table.c.body_html,
                table.c.attempts,
            )
        ).all()
        return sorted(claimed, key=lambda row: row.id), until

    def give_back(self, ids: list[int], until: datetime) -> None:
        """Release claimed messages that were not tried (the run ran out of time)."""
        table = self.table
        self.connection.execute(
            db.update(table)
            .where(
                table.c.id.in_(ids),
                table.c.status == OutboxStatus.PENDING,
                table.c.next_attempt_at == until,  # still our claim
            )
            .values(attempts=table.c.attempts - 1, next_attempt_at=now())
        )

    def sent(self, message_id: int) -> None:
        """Record that the SMTP server accepted the message (may run in the helper thread)."""
        self.connection.execute(self._mark_sent, {"message_id": message_id, "sent_at": now()})

    def failed(self, row: Row, error: Exception, report: DeliveryReport) -> None:
        values: dict = {"last_error": f"{type(error).__name__}: {error}"[:2000]}
        if row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            values["status"] = OutboxStatus.FAILED
            report.failed += 1
        else:
            values["next_attempt_at"] = now() + backoff(row.attempts)
            report.retrying += 1
        self.connection.execute(
            db.update(self.table).where(self.table.c.id == row.id).values(**values)
        )
        current_app.logger.warning(
            "E-mail %s to %s not delivered: %s", row.id, row.recipient, error
        )


class _Connection:
    """One SMTP connection for many messages (Flask-Mail's ``connect()``), opened when first
    needed and again after an error that may have broken it."""

    def __init__(self) -> None:
        self._open: ExitStack | None = None
        self._connection = None
        self.carried = 0  # messages the open connection has delivered

    def send(self, message: Message) -> None:
        if self._open is None:
            stack = ExitStack()
            self._connection = stack.enter_context(mailer.connect())
            self._open, self.carried = stack, 0
        self._connection.send(message)
        self.carried += 1

    def drop(self) -> None:
        """Close the connection (quietly: it may be broken already)."""
        if self._open is not None:
            stack, self._open, self._connection = self._open, None, None
            with suppress(smtplib.SMTPException, OSError):
                stack.close()


def _keeps_connection(error: Exception) -> bool:
    """Whether the SMTP session is still usable after ``error``: a refused recipient, sender
    or message leaves it open (smtplib resets it), as does a message refused before it was
    sent (a line break in a header); anything else may have broken it."""
    if isinstance(error, (smtplib.SMTPRecipientsRefused, BadHeaderError)):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code != 421


class _Prepared(Message):
    """A message whose bytes are built before it is handed to the connection, so that the
    building can overlap the database's commit of the message before it."""

    def __init__(self, row: Row) -> None:
        super().__init__(
            subject=row.subject,
            recipients=[row.recipient],
            body=row.body_text,
            html=row.body_html or None,
            sender=current_app.config["MAIL_DEFAULT_SENDER"],
            date=time.time(),
        )
        self._bytes = super().as_bytes()

    def as_bytes(self) -> bytes:
        return self._bytes


def _send(connection: _Connection, message: _Prepared) -> Exception | None:
    """Hand one message to the SMTP server; the error when it was not accepted."""
    try:
        connection.send(message)
        return None
    except Exception as error:  # SMTP errors come in many classes; keep any of them
        if _keeps_connection(error):
            return error
        reused = connection.carried > 0
        connection.drop()
        if not reused:
            return error
    # A connection that carried messages before may have been closed by the server since
    # (an idle timeout, a limit per connection): try once more on a fresh one.
    try:
        connection.send(message)
        return None
    except Exception as error:
        if not _keeps_connection(error):
            connection.drop()
        return error


def deliver_due(limit: int | None = None, seconds: float | None = None) -> DeliveryReport:
    """Send the messages that are due, in batches over one SMTP connection: all of them, or at
    most ``limit``, or what can be sent in about ``seconds`` (then ``report.more`` says that
    messages are still waiting). Commits as it goes (see the module's docstring)."""
    report = DeliveryReport()
    started = time.monotonic()

    def out_of_time() -> bool:
        return seconds is not None and time.monotonic() - started >= seconds

    smtp = _Connection()
    # The commit of one message's "sent" runs in this helper thread while the next message is
    # built; it is waited for before that message goes, so at most one message is ever
    # accepted by the server and not yet recorded.
    marks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-marks")
    marking: Future | None = None
    with db.engine.connect() as connection:
        outbox = _Outbox(connection.execution_options(isolation_level="AUTOCOMMIT"))
        try:
            while True:
                tried = report.sent + report.retrying + report.failed
                size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - tried)
                if size <= 0 or out_of_time():
                    report.more = mail_due()
                    break
                batch, until = outbox.claim(size)
                if not batch:
                    break
                claimed_at = time.monotonic()
                for index, row in enumerate(batch):
                    late = time.monotonic() - claimed_at > CLAIM_SECONDS / 2
                    if late or out_of_time():
                        marking = _wait(marking)
                        outbox.give_back([r.id for r in batch[index:]], until)
                        break
                    try:
                        message = _Prepared(row)
                    except Exception as error:  # a message that cannot be built fails alone
                        marking = _wait(marking)
                        outbox.failed(row, error, report)
                        continue
                    marking = _wait(marking)
                    error = _send(smtp, message)
                    if error is None:
                        marking = marks.submit(outbox.sent, row.id)
                        report.sent += 1
                    else:
                        outbox.failed(row, error, report)
                marking = _wait(marking)
        finally:
            marks.shutdown()  # waits for a "sent" still being recorded
            smtp.drop()
    return report


def _wait(marking: Future | None) -> None:
    """Wait for a "sent" being recorded (raising its error, if any)."""
    if marking is not None:
        marking.result()


def retry(message: OutboxMessage) -> None:
    """Send a failed or waiting message again at the next delivery run (admin action)."""
    if message.status == OutboxStatus.SENT:
        return
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now()
    db.session.flush()
