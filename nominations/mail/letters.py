"""Mailings: one kind of message to many people, rendered once and queued in bulk.

A mailing's template is rendered once per group of letters that read the same: the same
language (``languages.recipient_language``, the one rule for it) and the same ``wording`` (the
few values that change the text, such as how many reviews a reviewer still owes). The
greeting's name and the subject (written in each recipient's language) are filled into each
letter afterwards, escaped for the HTML part. The messages then go into the outbox in a few
statements, each still once per deduplication key.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from flask import current_app
from markupsafe import escape

from nominations.languages import in_language, recipient_language
from nominations.mail import texts
from nominations.mail.outbox import render_email
from nominations.models import OutboxMessage, OutboxStatus, User, db
from nominations.models.inserts import insert_many_once
from nominations.timeutil import now

# What is filled into each letter after the rendering (the rest is the same for the group).
FIELDS = ("name", "subject")


@dataclass(frozen=True)
class Letter:
    """One person's message of a mailing."""

    dedupe_key: str
    user: User
    # Called in the recipient's language (a plain string is taken as it is).
    subject: Callable[[], str] | str
    # Template values that change this person's text (letters with equal values share one
    # rendering): keep them few and small, e.g. (("count", 3),).
    wording: tuple[tuple[str, Hashable], ...] = ()


@dataclass(frozen=True)
class _Addressee:
    """Stands for the recipient while the group's text is rendered."""

    name: str


def _group_key(letter: Letter) -> tuple:
    return (recipient_language(letter.user), letter.wording)


def _written(subject: Callable[[], str] | str) -> str:
    return str(subject() if callable(subject) else subject)


def _fill(parts: list[str], values: dict[str, str]) -> str:
    """``parts`` as split by the markers (text, field, text, ..., text), the fields filled."""
    return "".join(values[part] if index % 2 else part for index, part in enumerate(parts))


def compose(template: str, letters: Iterable[Letter], **context) -> list[dict]:
    """The outbox rows of ``letters``: ``emails/<template>`` rendered once per language and
    wording, with each recipient's name and subject filled in."""
    groups: dict[tuple, list[Letter]] = defaultdict(list)
    for letter in letters:
        groups[_group_key(letter)].append(letter)
    # Markers that neither a template nor anything typed by a user can contain: NUL characters
    # (PostgreSQL refuses them in text) around a random part drawn for this mailing.
    nonce = secrets.token_hex(8)
    markers = {field: f"\x00{nonce}{field}\x00" for field in FIELDS}
    splitter = re.compile(f"\x00{nonce}({'|'.join(FIELDS)})\x00")
    addressee = _Addressee(markers["name"])
    edited = texts.edited_texts(template)  # the administrators' texts: one query a mailing
    at = now()
    rows = []
    for (language, wording), members in groups.items():
        entry = edited.get(language)
        written = None
        if entry is not None:
            written = _edited_letters(entry, language, wording, members, context, addressee)
        if written is not None:
            subjects, texts_, htmls = _pieces(written, splitter, members)
        else:
            bodies = render_email(
                template,
                language=language,
                **context,
                **dict(wording),
                user=addressee,
                subject=markers["subject"],
            )
            text, html = (splitter.split(body) for body in bodies)
            with in_language(language):
                subjects = [_written(letter.subject) for letter in members]
            texts_, htmls = [text] * len(members), [html] * len(members)
        for letter, subject, text, html in zip(members, subjects, texts_, htmls, strict=True):
            values = {"name": letter.user.name, "subject": subject}
            escaped = {field: str(escape(value)) for field, value in values.items()}
            rows.append(
                {
                    "dedupe_key": letter.dedupe_key[:300],
                    "recipient": letter.user.email,
                    "subject": _fill(splitter.split(subject), values),
                    "body_text": _fill(text, values),
                    "body_html": _fill(html, escaped),
                    "status": OutboxStatus.PENDING,
                    "attempts": 0,
                    "last_error": "",
                    "next_attempt_at": at,
                    "created_at": at,
                }
            )
    return rows


def _edited_letters(entry, language, wording, members, context, addressee) -> list | None:
    """The administrators' text for one group: rendered once with the name's marker; rendered
    for each letter instead when the text changed the marker (``{{ name|upper }}``). None
    when it fails with these values: the group gets the standard text."""
    context = {**context, **dict(wording)}
    once = texts.render_edited(entry, language, {**context, "user": addressee})
    if once is None:
        return None
    pieces = (once.subject, once.text, once.html)
    if not any("\x00" in piece.replace(addressee.name, "") for piece in pieces):
        return [once] * len(members)
    each = [
        texts.render_edited(entry, language, {**context, "user": _Addressee(letter.user.name)})
        for letter in members
    ]
    return None if any(rendered is None for rendered in each) else each


def _pieces(written: list, splitter: re.Pattern, members: list[Letter]):
    """Subjects and the split bodies of an edited group's letters (split once when shared)."""
    first = written[0]
    text, html = splitter.split(first.text), splitter.split(first.html)
    texts_ = [text if w is first else splitter.split(w.text) for w in written]
    htmls = [html if w is first else splitter.split(w.html) for w in written]
    return [w.subject for w in written], texts_, htmls


def queue_letters(template: str, letters: Iterable[Letter], **context) -> dict[str, int]:
    """Queue a mailing in the current transaction; the ids of the messages queued now, by
    deduplication key (a key queued before, by this run or another, is left out).

    Nothing is committed: the caller's unit of work stores the mailing with the change it is
    about, or neither.
    """
    rows = compose(template, letters, **context)
    table = OutboxMessage.__table__
    written = insert_many_once(
        OutboxMessage, rows, [table.c.dedupe_key], [table.c.id, table.c.dedupe_key]
    )
    queued = {key: message_id for message_id, key in written}
    _log(row for row in rows if row["dedupe_key"] in queued)
    return queued


def queue_mailing(template: str, letters: Iterable[Letter], **context) -> None:
    """Like ``queue_letters``, without learning which keys were new: for a caller whose own
    records already decided that (the reminders' ``ReminderSend``); several times faster for
    thousands of messages."""
    rows = compose(template, letters, **context)
    insert_many_once(OutboxMessage, rows, [OutboxMessage.__table__.c.dedupe_key])
    _log(rows)


def message_ids(keys: list[str]) -> dict[str, int]:
    """The outbox ids of the messages queued under these keys."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        found.update(
            db.session.execute(
                db.select(OutboxMessage.dedupe_key, OutboxMessage.id).where(
                    OutboxMessage.dedupe_key.in_(keys[start : start + 500])
                )
            ).all()
        )
    return found


def _log(rows: Iterable[dict]) -> None:
    if current_app.config.get("MAIL_LOG_MESSAGES"):
        for row in rows:
            current_app.logger.info(
                "E-mail queued to %s: %s\n%s", row["recipient"], row["subject"], row["body_text"]
            )
