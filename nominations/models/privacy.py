"""The privacy notice the administrators write (shown at /privacy), in English and bokmål."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from nominations.models.base import UTCDateTime, db, utcnow


class PrivacyNotice(db.Model):
    """One row (id 1) once an administrator saved the notice; before that the built-in text
    is shown (workflow.privacy_notice.DEFAULT)."""

    __tablename__ = "privacy_notices"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text, default="")
    text_nb: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
