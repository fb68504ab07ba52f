"""Award rounds, their categories and reminder rules."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominations.models.base import UTCDateTime, db, utcnow


def new_lineage() -> str:
    """A fresh lineage id for a new category (a prize); its clones carry it on."""
    return secrets.token_hex(8)


def new_ranking_version() -> str:
    """A fresh ranking stamp: random, so that it never repeats, not even in a database emptied
    and filled again (ids start again at 1 there)."""
    return secrets.token_hex(8)


class RoundStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    DECIDED = "decided"
    PUBLISHED = "published"


class BlindMode(StrEnum):
    NEVER = "never"  # reviewers never see other reviewers' scores
    AFTER_OWN = "after_own"  # once they have submitted their own review
    ALWAYS = "always"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class AwardRound(db.Model):
    __tablename__ = "award_rounds"
    __table_args__ = (
        UniqueConstraint("name", "year"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint("review_deadline > closes_at", name="review_after_close"),
        CheckConstraint(_in("status", RoundStatus), name="status_valid"),
        CheckConstraint(_in("blind_mode", BlindMode), name="blind_mode_valid"),
        CheckConstraint("year BETWEEN 2000 AND 2200", name="year_plausible"),
        CheckConstraint(
            "retain_documents_months BETWEEN 1 AND 120", name="retain_documents_plausible"
        ),
        CheckConstraint(
            "retain_comments_months BETWEEN 1 AND 120", name="retain_comments_plausible"
        ),
        CheckConstraint("retain_drafts_days BETWEEN 1 AND 365", name="retain_drafts_plausible"),
        CheckConstraint("coauthor_years BETWEEN 1 AND 20", name="coauthor_years_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Bokmål beside the English of name and description ("" : the English is shown).
    name_nb: Mapped[str] = mapped_column(String(200), default="", server_default="")
    year: Mapped[int]
    organiser: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_nb: Mapped[str] = mapped_column(Text, default="", server_default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    ceremony_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default=RoundStatus.DRAFT, index=True)
    blind_mode: Mapped[str] = mapped_column(String(20), default=BlindMode.AFTER_OWN)
    department_conflicts: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When an administrator confirmed the opening (having seen the announcement): the round
    # opens at opens_at only once this is set (workflow.opening).
    opening_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cloned_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("award_rounds.id", ondelete="SET NULL")
    )
    # Personal data (workflow.nominee_notice, workflow.retention): whether each nominee is
    # told by e-mail when the call closes, and how long what a round holds is kept: the
    # documents of nominations that did not win and the review comments, months after the
    # results were published; drafts never submitted, days after the call closed.
    inform_nominees: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    retain_documents_months: Mapped[int] = mapped_column(default=12, server_default="12")
    retain_comments_months: Mapped[int] = mapped_column(default=12, server_default="12")
    retain_drafts_days: Mapped[int] = mapped_column(default=30, server_default="30")
    # Co-authorship conflicts (workflow/publications/matching.py): a reviewer and a nominee
    # who share a publication from this many years before the round's year are proposed.
    coauthor_years: Mapped[int] = mapped_column(default=5, server_default="5")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    categories: Mapped[list[AwardCategory]] = relationship(
        back_populates="round",
        order_by="AwardCategory.position, AwardCategory.id",
        cascade="all, delete-orphan",
    )

    @property
    def title(self) -> str:
        """The name with its year, in the reader's language ("Forskningspriser 2025")."""
        from nominations.languages import localized

        return self.title_of(localized(self, "name"), self.year)

    @staticmethod
    def title_of(name: str, year: int) -> str:
        """ "Research Awards 2026"; a name that has its year already keeps it once."""
        return f"{name} {year}" if str(year) not in name else name

    def __repr__(self) -> str:
        return f"<AwardRound {self.name} {self.year} {self.status}>"


class AwardCategory(db.Model):
    __tablename__ = "award_categories"
    __table_args__ = (
        UniqueConstraint("round_id", "name"),
        CheckConstraint("prize_amount > 0", name="prize_amount_positive"),
        CheckConstraint("prize_count > 0", name="prize_count_positive"),
        CheckConstraint("word_limit > 0", name="word_limit_positive"),
        CheckConstraint("max_support_letters >= 0", name="support_letters_not_negative"),
        CheckConstraint("required_letters >= 0", name="required_letters_not_negative"),
        CheckConstraint(
            "letter_days_after_close IS NULL OR letter_days_after_close >= 0",
            name="letter_days_not_negative",
        ),
        CheckConstraint(
            "phd_within_years IS NULL OR phd_within_years > 0", name="phd_years_positive"
        ),
        CheckConstraint(
            "exclude_winners_within_years IS NULL OR exclude_winners_within_years > 0",
            name="exclude_winners_years_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    eligibility_text: Mapped[str] = mapped_column(Text, default="")
    # Bokmål beside the English ("": the English is shown; languages.localized).
    name_nb: Mapped[str] = mapped_column(String(200), default="", server_default="")
    description_nb: Mapped[str] = mapped_column(Text, default="", server_default="")
    eligibility_text_nb: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Career-stage rule: the nominee's PhD within the last N years (None: no rule).
    phd_within_years: Mapped[int | None]
    # "Earlier winners of this prize within the last N years are not eligible" (None: no rule).
    # "This prize" is the category's lineage: the same prize in earlier rounds, whatever it
    # was called then (workflow/history.py).
    exclude_winners_within_years: Mapped[int | None]
    # The prize this category awards, the same across years: a new category starts a lineage,
    # cloning into next year's round carries it on (a rename keeps it).
    lineage: Mapped[str] = mapped_column(
        String(32), default=lambda: new_lineage(), server_default="", index=True
    )
    prize_amount: Mapped[int]  # whole units of the currency
    currency: Mapped[str] = mapped_column(String(3), default="NOK")
    prize_count: Mapped[int] = mapped_column(default=1)
    funder: Mapped[str] = mapped_column(String(200), default="")
    self_nomination_allowed: Mapped[bool] = mapped_column(default=False)
    department_nomination_allowed: Mapped[bool] = mapped_column(default=False)
    word_limit: Mapped[int] = mapped_column(default=1000)
    requires_cv: Mapped[bool] = mapped_column(default=True)
    requires_publications: Mapped[bool] = mapped_column(default=False)
    max_support_letters: Mapped[int] = mapped_column(default=3)
    # Referee letters (workflow/referees.py): how many received letters make a nomination
    # complete, and how many days after the call's close referees may upload (None: the
    # REFEREE_LETTER_DAYS setting); never later than the review deadline.
    required_letters: Mapped[int] = mapped_column(default=0, server_default="0")
    letter_days_after_close: Mapped[int | None]
    # Replaced in the transaction of every change to what the category's ranking reads, so a
    # cached ranking is keyed by it (workflow/ranking_version.py). Read it with a query: the
    # stamp is written with an UPDATE, and an object already loaded keeps the old one.
    ranking_version: Mapped[str] = mapped_column(
        String(32), default=lambda: new_ranking_version(), server_default=""
    )

    round: Mapped[AwardRound] = relationship(back_populates="categories")

    def __repr__(self) -> str:
        return f"<AwardCategory {self.name}>"


class ReminderKind(StrEnum):
    CALL_OPENED = "call_opened"
    CALL_CLOSING = "call_closing"  # to all staff, days_before the closing time
    DRAFT_PENDING = "draft_pending"  # to nominators with unsubmitted drafts
    REVIEW_DUE = "review_due"  # to panel members with unsubmitted reviews
    RESULTS_PUBLISHED = "results_published"


class ReminderRule(db.Model):
    __tablename__ = "reminder_rules"
    __table_args__ = (
        UniqueConstraint("round_id", "kind", "days_before"),
        CheckConstraint(_in("kind", ReminderKind), name="kind_valid"),
        CheckConstraint("days_before IS NULL OR days_before > 0", name="days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    days_before: Mapped[int | None]
    enabled: Mapped[bool] = mapped_column(default=True)

    round: Mapped[AwardRound] = relationship()
