"""Publication lists of people (reviewers, nominees) and the chair's word on co-authorships.

A person is known by e-mail address (lower case): a reviewer by his account's, a nominee by
the nomination's. A publication is one row however many people's lists name it, identified by
its ``match_key`` (the DOI, else the normalised title and year), so importing the same list
again adds nothing (workflow/publications/).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominations.models.accounts import User
from nominations.models.base import UTCDateTime, db, utcnow
from nominations.models.nomination import Nomination
from nominations.models.rounds import _in


class Publication(db.Model):
    __tablename__ = "publications"
    __table_args__ = (
        CheckConstraint("year BETWEEN 1900 AND 2200", name="year_plausible"),
        Index("ix_publications_title_key_year", "title_key", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "doi:10.1000/xyz" or "title:<normalised title>|<year>": one row per publication, also
    # when two imports of it arrive at once.
    match_key: Mapped[str] = mapped_column(String(600), unique=True)
    doi: Mapped[str] = mapped_column(String(255), default="", index=True)  # normalised
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(String(500))  # the title normalised for matching
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PublicationHolder(db.Model):
    """``email``'s publication list names ``publication``."""

    __tablename__ = "publication_holders"
    __table_args__ = (
        UniqueConstraint("publication_id", "email"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    source: Mapped[str] = mapped_column(String(255), default="")  # the imported file's name
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    publication: Mapped[Publication] = relationship()


class CoauthorOutcome(StrEnum):
    ACCEPTED = "accepted"  # a conflict of interest was recorded
    DISMISSED = "dismissed"  # not a conflict; never proposed again


class CoauthorDecision(db.Model):
    """The chair's (or an administrator's) answer to a proposed co-authorship conflict."""

    __tablename__ = "coauthor_decisions"
    __table_args__ = (
        UniqueConstraint("nomination_id", "reviewer_id"),
        CheckConstraint(_in("outcome", CoauthorOutcome), name="outcome_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
