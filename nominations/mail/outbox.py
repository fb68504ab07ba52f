"""Queueing e-mail: render it from templates/emails/ and store it once per dedupe key."""

from __future__ import annotations

from flask import current_app, render_template
from jinja2 import TemplateNotFound

from nominations.models import OutboxMessage, OutboxStatus
from nominations.models.inserts import insert_once
from nominations.timeutil import now


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
    message_id = queue_message(
        dedupe_key=dedupe_key, recipient=recipient, subject=subject, template=template, **context
    )
    return message_id is not None


def queue_message(
    *, dedupe_key: str, recipient: str, subject: str, template: str, **context
) -> int | None:
    """Like ``queue_email``, answering the new message's id (None when the key was queued)."""
    text, html = render_email(template, subject=subject, **context)
    message_id = insert_once(
        OutboxMessage,
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
        },
        [OutboxMessage.dedupe_key],
    )
    if message_id is not None and current_app.config.get("MAIL_LOG_MESSAGES"):
        current_app.logger.info("E-mail queued to %s: %s\n%s", recipient, subject, text)
    return message_id
