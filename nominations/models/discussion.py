"""The chair's note on how a disagreement between reviewers was resolved at the panel meeting:
one text per nomination (workflow/disagreement.py lists the nominations worth a discussion)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from nominations.models.accounts import User
from nominations.models.base import UTCDateTime, db, utcnow
from nominations.models.nomination import Nomination


class DiscussionNote(db.Model):
    __tablename__ = "discussion_notes"
    __table_args__ = (UniqueConstraint("nomination_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # ``Nomination.discussion_note``: the review page loads it with the nomination.
    nomination: Mapped[Nomination] = relationship(
        backref=backref("discussion_note", uselist=False, passive_deletes=True)
    )
    updated_by: Mapped[User | None] = relationship()
