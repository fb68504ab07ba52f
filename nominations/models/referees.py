"""Referees a nominator names on a nomination, and the letter each one uploads.

A referee needs no account: he reaches his upload page by a personal link whose token is
kept here only as its SHA-256 (``token_hash``), so the database never holds a working link.
Each accepted upload replaces the token (workflow/referees.py): a link works for one upload.

The letter's bytes live in the document storage (``nominations.storage``) under
``stored_name``, like attachments; the columns are named as an attachment's are, so the
storage's download and checksum helpers take a referee's letter as they take an attachment.
The referee's data lives in this table alone (for a later export or erasure of a person's data).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from nominations.models.accounts import User
from nominations.models.base import UTCDateTime, db, utcnow
from nominations.models.nomination import Nomination

LETTER_COLUMNS = ("stored_name", "original_name", "sha256", "size_bytes", "uploaded_at")


class Referee(db.Model):
    __tablename__ = "referees"
    __table_args__ = (
        # One referee per e-mail address on a nomination (named twice is the same person).
        UniqueConstraint("nomination_id", "email"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        # A letter is all there or not at all.
        CheckConstraint(
            "(stored_name IS NULL) = (sha256 IS NULL) AND (stored_name IS NULL) = "
            "(size_bytes IS NULL) AND (stored_name IS NULL) = (uploaded_at IS NULL)",
            name="letter_whole",
        ),
        CheckConstraint("size_bytes IS NULL OR size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    relation: Mapped[str] = mapped_column(String(200), default="")
    # SHA-256 (hex) of the secret in the referee's current link; None: no working link.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The letter (all None until it is received).
    stored_name: Mapped[str | None] = mapped_column(String(100), unique=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None]
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    nomination: Mapped[Nomination] = relationship(
        backref=backref("referees", cascade="all, delete-orphan", order_by="Referee.id")
    )
    named_by: Mapped[User | None] = relationship()

    @property
    def received(self) -> bool:
        return self.stored_name is not None

    def __repr__(self) -> str:
        return f"<Referee {self.id} of nomination {self.nomination_id}>"
