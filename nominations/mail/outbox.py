"""Queueing e-mail: render it from templates/emails/ and store it once per dedupe key."""

from __future__ import annotations

from flask import current_app, render_template
from jinja2 import TemplateNotFound
from sqlalchemy.dialects import postgresql, sqlite

from nominations.models import OutboxMessage, OutboxStatus, db
from nominations.timeutil import now


def _insert_ignoring_duplicates(values: dict) -> bool:
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING; True when a row was written.

    The unique key in the database, not a check in Python, is what makes a message
    queued at most once, even with two processes queueing at the same moment.
    """
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])
        # rowcount is -1 here on PostgreSQL (psycopg 3 with the RETURNING SQLAlchemy adds):
        # ask for the new id instead, which comes back only when a row was written.
        .returning(OutboxMessage.id)
    )
    return db.session.execute(statement).first() is not None


def render_email(template: str, **context) -> tuple[str, str]:
    """The plain-text and HTML bodies of ``emails/<template>.txt`` and ``.html``."""
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    text = render_template(f"emails/{template}.txt", **context)
    try:
        html = render_template(f"emails/{template}.html", **context)
    except TemplateNotFound:
        html = ""
    return text, html


def queue_email(*, dedupe_key: str, recipient: str, subject: str, template: str, **context) -> bool:
    """Queue one message in the current transaction; False when that key was queued before.

    The caller commits together with the change the message is about, so a change and its
    e-mail are stored together or not at all.
    """
    text, html = render_email(template, subject=subject, **context)
    created = _insert_ignoring_duplicates(
        {
            "dedupe_key": dedupe_key[:300],
            "recipient": recipient,
            "subject": subject,
            "body_text": text,
            "body_html": html,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": now(),
            "created_at": now(),
        }
    )
    if created and current_app.config.get("MAIL_LOG_MESSAGES"):
        current_app.logger.info("E-mail queued to %s: %s\n%s", recipient, subject, text)
    return created
