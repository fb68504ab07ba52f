"""The review panel: panels, conflicts of interest, rubric, reviews and decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominations.models.accounts import User
from nominations.models.base import UTCDateTime, db, utcnow
from nominations.models.nomination import Nomination
from nominations.models.rounds import AwardCategory, AwardRound, _in


class PanelRole(StrEnum):
    MEMBER = "member"
    CHAIR = "chair"


class Panel(db.Model):
    """A review panel of a round; with a category it covers that category only."""

    __tablename__ = "panels"
    __table_args__ = (UniqueConstraint("round_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("award_categories.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))

    round: Mapped[AwardRound] = relationship()
    category: Mapped[AwardCategory | None] = relationship()
    members: Mapped[list[PanelMember]] = relationship(
        back_populates="panel", cascade="all, delete-orphan"
    )


class PanelMember(db.Model):
    __tablename__ = "panel_members"
    __table_args__ = (
        UniqueConstraint("panel_id", "user_id"),
        CheckConstraint(_in("role", PanelRole), name="role_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=PanelRole.MEMBER)

    panel: Mapped[Panel] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class ConflictKind(StrEnum):
    COLLABORATOR = "collaborator"
    SUPERVISOR = "supervisor"  # supervisor or supervisee
    SAME_GROUP = "same_group"
    PERSONAL = "personal"
    OTHER = "other"
    # Automatic ones
    IS_NOMINEE = "is_nominee"
    IS_NOMINATOR = "is_nominator"
    SAME_DEPARTMENT = "same_department"


class ConflictOfInterest(db.Model):
    __tablename__ = "conflicts_of_interest"
    __table_args__ = (
        UniqueConstraint("nomination_id", "reviewer_id"),
        CheckConstraint(_in("kind", ConflictKind), name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    automatic: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cleared_reason: Mapped[str] = mapped_column(Text, default="")

    nomination: Mapped[Nomination] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])


class Criterion(db.Model):
    __tablename__ = "criteria"
    __table_args__ = (
        UniqueConstraint("category_id", "name"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("scale_max > scale_min", name="scale_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("award_categories.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    # Bokmål beside the English ("": the English is shown; languages.localized).
    name_nb: Mapped[str] = mapped_column(String(200), default="", server_default="")
    guidance_nb: Mapped[str] = mapped_column(Text, default="", server_default="")
    weight: Mapped[float] = mapped_column(default=1.0)
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=7)

    category: Mapped[AwardCategory] = relationship()


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Recommendation(StrEnum):
    STRONGLY_SUPPORT = "strongly_support"
    SUPPORT = "support"
    NEUTRAL = "neutral"
    DO_NOT_SUPPORT = "do_not_support"


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("nomination_id", "reviewer_id"),
        CheckConstraint(_in("status", ReviewStatus), name="status_valid"),
        CheckConstraint(
            f"recommendation IS NULL OR {_in('recommendation', Recommendation)}",
            name="recommendation_valid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ReviewStatus.DRAFT)
    comment: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str | None] = mapped_column(String(20))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    nomination: Mapped[Nomination] = relationship()
    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )


class ReviewScore(db.Model):
    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    score: Mapped[int]

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class Decision(db.Model):
    """A winner picked by the chair; at most the category's prize count (workflow enforces)."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("nomination_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("award_categories.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    citation: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[AwardCategory] = relationship()
    nomination: Mapped[Nomination] = relationship()
    decided_by: Mapped[User | None] = relationship()
