"""What the reminders sent: one row per reminder per person, so "exactly once" is a database
rule (the unique constraint) and nobody parses outbox keys to learn what went out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nominations.models.base import UTCDateTime, db, utcnow
from nominations.models.rounds import ReminderKind, _in


class ReminderSend(db.Model):
    __tablename__ = "reminder_sends"
    __table_args__ = (
        # One reminder per round, kind, person and occasion, whatever runs at once.
        UniqueConstraint("round_id", "kind", "user_id", "days_before", "due_for"),
        CheckConstraint(_in("kind", ReminderKind), name="kind_valid"),
        CheckConstraint("days_before >= 0", name="days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The rule's "N days before"; 0 for a reminder sent when something happens (call opened).
    days_before: Mapped[int]
    # The deadline the reminder counted down to, as it stood when it was sent; for a reminder
    # sent on an event, the moment of the event (the round's opening).
    due_for: Mapped[datetime] = mapped_column(UTCDateTime)
    # The message it queued; kept when the outbox forgets the message.
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
