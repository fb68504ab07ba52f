"""Nominations and their supporting documents."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominations.models.accounts import Department, User
from nominations.models.base import UTCDateTime, db, utcnow
from nominations.models.rounds import AwardCategory, _in


class NominationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    INELIGIBLE = "ineligible"
    SHORTLISTED = "shortlisted"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"


# Statuses a reviewer may see: the nomination went in and was not taken out.
REVIEWABLE_STATUSES = (
    NominationStatus.SUBMITTED,
    NominationStatus.SHORTLISTED,
    NominationStatus.AWARDED,
    NominationStatus.NOT_AWARDED,
)


class Nomination(db.Model):
    __tablename__ = "nominations"
    __table_args__ = (
        CheckConstraint(_in("status", NominationStatus), name="status_valid"),
        CheckConstraint("nominee_email = lower(nominee_email)", name="nominee_email_lowercase"),
        Index("ix_nominations_category_nominee_email", "category_id", "nominee_email"),
        # A person's history as nominee, across categories and years (workflow/history.py).
        Index("ix_nominations_nominee_email", "nominee_email"),
        # The administrators' list, one per order its keyset pages walk (by category, by
        # last change, by nominee; workflow/nominations/queries.py ADMIN_SORTS).
        Index(
            "ix_nominations_category_lower_name",
            "category_id",
            func.lower(column("nominee_name")),
            "id",
        ),
        Index("ix_nominations_updated_at_id", "updated_at", "id"),
        Index("ix_nominations_lower_nominee_name_id", func.lower(column("nominee_name")), "id"),
        # The same create form sent twice (a double click, a retry) makes one nomination.
        UniqueConstraint("nominator_id", "idempotency_token"),
        # "Nominate again" makes one draft per earlier nomination and category, however often
        # it is clicked (workflow/renominate.py).
        UniqueConstraint("category_id", "renominated_from_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("award_categories.id", ondelete="CASCADE"), index=True
    )
    nominator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Set when the nominator acts on behalf of a department (e.g. Employee of the Year).
    on_behalf_of_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    nominee_name: Mapped[str] = mapped_column(String(200), default="")
    nominee_email: Mapped[str] = mapped_column(String(254), default="")
    nominee_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    nominee_position: Mapped[str] = mapped_column(String(200), default="")
    nominee_phd_date: Mapped[date | None]
    statement: Mapped[str] = mapped_column(Text, default="")
    # The random token of the create form that made this nomination (None for older rows).
    idempotency_token: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=NominationStatus.DRAFT, index=True)
    # The earlier nomination this one was started from ("Nominate again"), if any.
    renominated_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("nominations.id", ondelete="SET NULL")
    )
    ineligible_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[AwardCategory] = relationship()
    nominator: Mapped[User] = relationship(foreign_keys=[nominator_id])
    on_behalf_of_department: Mapped[Department | None] = relationship(
        foreign_keys=[on_behalf_of_department_id]
    )
    nominee_department: Mapped[Department | None] = relationship(
        foreign_keys=[nominee_department_id]
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="nomination", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    def __repr__(self) -> str:
        return f"<Nomination {self.id} {self.nominee_name!r} {self.status}>"


class AttachmentKind(StrEnum):
    CV = "cv"
    PUBLICATIONS = "publications"
    SUPPORT_LETTER = "support_letter"
    ANSWER = "answer"  # the document answering a category's file question (models.questions)


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(_in("kind", AttachmentKind), name="kind_valid"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="attachments")
