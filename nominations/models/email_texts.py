"""The e-mail texts administrators wrote: one row per kind of e-mail and language.

No row means the default text (the kind's templates in templates/emails/). The text is a
template for Jinja's sandbox (nominations/mail/texts.py), checked when it is saved; a message
stores its rendered text in the outbox, so a later edit never changes a queued message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominations.models.accounts import User
from nominations.models.base import UTCDateTime, db, utcnow


class EmailText(db.Model):
    __tablename__ = "email_texts"
    __table_args__ = (
        UniqueConstraint("kind", "language"),
        CheckConstraint("language IN ('en', 'nb')", name="language_valid"),
        CheckConstraint("length(subject) > 0", name="subject_not_empty"),
        CheckConstraint("length(body) > 0", name="body_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A key of nominations.mail.texts.KINDS (e.g. "call_opened").
    kind: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    updated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<EmailText {self.kind} {self.language}>"
