"""The figures of the scheduler's side, driving the project's own functions in this process
(closing a call, delivering the outbox) and its real scheduler process, each beside the bare
cost of the same work: the same rows inserted in one statement, the same messages handed to
the same SMTP server by smtplib over one connection."""

from __future__ import annotations

import smtplib
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import text

from bench import project
from bench.datasets import World, insert_rows
from bench.servers import HarnessError, Process, SmtpSink, wait_until
from bench.settings import Scale
from bench.table import Row, seconds
from nominations.models import OutboxMessage, db

SENDER = "awards@example.org"


def queue_messages(count: int, label: str) -> list[int]:
    """``count`` pending outbox messages of a usual size (a reminder), due now; committed."""
    next_id = text("SELECT coalesce(max(id), 0) + 1 FROM outbox_messages")
    start = db.session.execute(next_id).scalar()
    ids = range(start, start + count)
    body = "Dear colleague,\n\nThe call for the Mentor Prize closes tomorrow at 23:59.\n" * 12
    due = datetime.now(UTC) - timedelta(minutes=1)
    insert_rows(
        OutboxMessage,
        [
            {
                "id": message_id,
                "dedupe_key": f"bench:{label}:{message_id}",
                "recipient": f"staff{message_id % 5000}@institute.example.org",
                "subject": f"The Mentor Prize closes tomorrow ({label} {message_id})",
                "body_text": body,
                "body_html": "<p>" + body.replace("\n", "<br>") + "</p>",
                "status": "pending",
                "attempts": 0,
                "last_error": "",
                "next_attempt_at": due,
                "created_at": due,
            }
            for message_id in ids
        ],
    )
    db.session.execute(
        text("SELECT setval(pg_get_serial_sequence('outbox_messages', 'id'), :last)"),
        {"last": ids[-1]},
    )
    db.session.commit()
    return list(ids)


def clear_outbox() -> None:
    db.session.execute(text("UPDATE reminder_sends SET outbox_message_id = NULL"))
    db.session.execute(text("DELETE FROM outbox_messages"))
    db.session.commit()


def _judge(scale: Scale, ok: bool) -> bool | None:
    return None if scale.quick else ok


def _queued() -> tuple[int, int]:
    count, size = db.session.execute(
        text(
            "SELECT count(*), coalesce(sum(length(body_text) + length(body_html)), 0) "
            "FROM outbox_messages"
        )
    ).one()
    db.session.rollback()
    return int(count), int(size)


def closing_row(world: World, scale: Scale) -> Row:
    """One scheduler tick at the closing time: the call of ``closing_nominations`` closes and
    the "closes in 1 day" reminder of the other call is queued for every member of staff."""
    clear_outbox()
    start = time.perf_counter()
    detail = project.close_due_calls(world.closing_at)
    took = time.perf_counter() - start
    count, size = _queued()
    if count < scale.staff:
        raise HarnessError(f"closing queued {count} messages, expected {scale.staff}+: {detail}")
    # The floor: as many outbox rows of the same total size, inserted in one statement.
    each = max(size // count, 1)
    start = time.perf_counter()
    db.session.execute(
        text(
            "INSERT INTO outbox_messages (dedupe_key, recipient, subject, body_text, body_html, "
            "status, attempts, last_error, next_attempt_at, created_at) "
            "SELECT 'bench:floor:' || g, 'staff' || g || '@institute.example.org', 'Subject', "
            "repeat('x', :text), repeat('y', :html), 'pending', 0, '', now(), now() "
            "FROM generate_series(1, :count) g"
        ),
        {"text": each // 3, "html": each - each // 3, "count": count},
    )
    db.session.commit()
    reference = time.perf_counter() - start
    return Row(
        f"close a call of {scale.closing_nominations} nominations and queue reminders for "
        f"{scale.staff} staff",
        seconds(took),
        f"{seconds(reference)} (INSERT of the same rows)",
        f"{took / reference:.0f}x",
        "<= 5 s",
        _judge(scale, took <= 5),
        note=f"{count} messages, {size / 1e6:.1f} MB queued",
    )


def _messages(ids: list[int]) -> list[EmailMessage]:
    rows = db.session.execute(
        text(
            "SELECT recipient, subject, body_text, body_html FROM outbox_messages "
            "WHERE id = ANY(:ids) ORDER BY id"
        ),
        {"ids": ids},
    ).all()
    db.session.rollback()
    messages = []
    for recipient, subject, body_text, body_html in rows:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = SENDER, recipient, subject
        message.set_content(body_text)
        message.add_alternative(body_html, subtype="html")
        messages.append(message)
    return messages


def _smtplib_seconds(sink: SmtpSink, ids: list[int]) -> float:
    """The same messages, built and sent by smtplib over one connection, until the sink has
    them all."""
    before = sink.received
    start = time.perf_counter()
    messages = _messages(ids)
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for message in messages:
            smtp.send_message(message)
    if not sink.wait_for(before + len(ids), 30):
        raise HarnessError("the SMTP sink did not receive the reference messages")
    return time.perf_counter() - start


def outbox_row(sink: SmtpSink, world: World, scale: Scale) -> Row:
    clear_outbox()
    ids = queue_messages(scale.outbox_messages, "outbox")
    reference = len(ids) / _smtplib_seconds(sink, ids)
    before = sink.received
    start = time.perf_counter()
    sent = project.deliver_outbox()
    if sent != len(ids) or not sink.wait_for(before + len(ids), 30):
        raise HarnessError(f"the outbox sent {sent} of {len(ids)} messages")
    rate = len(ids) / (time.perf_counter() - start)
    return Row(
        f"outbox to a local SMTP server, back to back ({len(ids)} messages)",
        f"{rate:.0f} msg/s",
        f"{reference:.0f} msg/s (smtplib, one connection)",
        f"{rate / reference:.0%}",
        ">= 300 msg/s",
        _judge(scale, rate >= 300),
    )


def scheduler_row(sink: SmtpSink, world: World, scale: Scale, env: dict[str, str]) -> Row:
    """From the start of `flask scheduler` to the last of the queued messages at the SMTP
    server (and marked sent); given up after ``scheduler_timeout``."""
    clear_outbox()
    ids = queue_messages(scale.scheduler_messages, "scheduler")
    reference = _smtplib_seconds(sink, ids)
    before = sink.received
    env = dict(env, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(sink.port), MAIL_DEFAULT_SENDER=SENDER)
    start = time.perf_counter()
    scheduler = Process("scheduler", project.scheduler_command(), env)
    try:
        done = sink.wait_for(before + len(ids), scale.scheduler_timeout)
        took = time.perf_counter() - start
        scheduler.check_alive()
        if done:
            wait_until(lambda: _pending(ids) == 0, 30, "the delivered messages marked sent")
    finally:
        scheduler.stop()
    delivered = sink.received - before
    return Row(
        f"{len(ids)} queued messages delivered by the running scheduler",
        seconds(took) if done else f"> {scale.scheduler_timeout:.0f} s ({delivered} sent)",
        f"{seconds(reference)} (smtplib, one connection)",
        f"{took / reference:.0f}x" if done else "-",
        "<= 30 s",
        _judge(scale, done and took <= 30),
        note="from starting `flask --app nominations scheduler` to the last message at the server",
    )


def _pending(ids: list[int]) -> int:
    count = db.session.execute(
        text("SELECT count(*) FROM outbox_messages WHERE id = ANY(:ids) AND status <> 'sent'"),
        {"ids": ids},
    ).scalar()
    db.session.rollback()
    return int(count)
