"""Queueing e-mail: render it from templates/emails/ and store it once per dedupe key.

Every message is written in its recipient's language, never the sender's: the caller passes
``language=languages.recipient_language(user)`` (a plain address without an account:
``recipient_language(None)``, the institute's default) and makes the subject inside
``languages.in_language(language)``; the bodies are rendered in it here, dates and amounts
included (the ``|local``, ``|localdate`` and ``|amount`` filters follow the language).
"""

from __future__ import annotations

from flask import current_app, render_template
from jinja2 import TemplateNotFound

from nominations.languages import current_language, in_language
from nominations.models import OutboxMessage, OutboxStatus
from nominations.models.inserts import insert_once
from nominations.timeutil import now


def render_email(template: str, *, language: str | None, **context) -> tuple[str, str]:
    """The plain-text and HTML bodies of ``emails/<template>.txt`` and ``.html``, written in
    ``language`` ("nb", "en"; None: the institute's default) whatever the request's one."""
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    with in_language(language):
        text = render_template(f"emails/{template}.txt", **context)
        try:
            html = render_template(f"emails/{template}.html", **context)
        except TemplateNotFound:
            html = ""
    return text, html


def render_message(
    template: str, *, language: str | None, subject: str, **context
) -> tuple[str, str, str]:
    """The subject, plain-text and HTML bodies of a message of ``template``: the
    administrators' text of that kind and language when they edited it (mail/texts.py), else
    ``subject`` and the default templates."""
    from nominations.mail import texts  # the registry imports this module's neighbours

    written = in_language(language)
    with written:
        language = current_language()
    entry = texts.edited_texts(template).get(language)
    rendered = texts.render_edited(entry, language, context) if entry is not None else None
    if rendered is not None:
        return rendered.subject, rendered.text, rendered.html
    text, html = render_email(template, language=language, subject=subject, **context)
    return subject, text, html


def queue_email(
    *, dedupe_key: str, recipient: str, subject: str, template: str, language: str | None, **context
) -> bool:
    """Queue one message in the current transaction; False when that key was queued before.

    The caller commits together with the change the message is about, so a change and its
    e-mail are stored together or not at all.
    """
    message_id = queue_message(
        dedupe_key=dedupe_key,
        recipient=recipient,
        subject=subject,
        template=template,
        language=language,
        **context,
    )
    return message_id is not None


def queue_message(
    *, dedupe_key: str, recipient: str, subject: str, template: str, language: str | None, **context
) -> int | None:
    """Like ``queue_email``, answering the new message's id (None when the key was queued)."""
    with in_language(language):  # a lazy subject (``lazy_gettext``) reads the recipient's
        subject = str(subject)
    subject, text, html = render_message(template, language=language, subject=subject, **context)
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
