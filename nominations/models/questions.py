"""Questions a category asks of its nominators, and the answers each nomination gives.

A question belongs to one category (copied with it into next year's round). An answer is one
row per nomination and question holding one typed value: text (short and long text, single
choice), a number, yes/no, the chosen options (multiple choice, a JSON list) or the document
uploaded (file: an ``attachments`` row of kind "answer", so storage, downloads, checksums, the
orphan sweep and the ZIP exports treat it like every other document). An empty answer is no
row at all.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nominations.models.base import UTCDateTime, db, utcnow
from nominations.models.nomination import Attachment, Nomination
from nominations.models.rounds import AwardCategory, _in


class QuestionKind(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    NUMBER = "number"
    FILE = "file"


TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


def _kinds(*kinds: QuestionKind) -> str:
    return f"kind IN ({', '.join(repr(k.value) for k in kinds)})"


class CategoryQuestion(db.Model):
    __tablename__ = "category_questions"
    __table_args__ = (
        CheckConstraint(_in("kind", QuestionKind), name="kind_valid"),
        CheckConstraint("word_limit IS NULL OR word_limit > 0", name="word_limit_positive"),
        CheckConstraint(f"word_limit IS NULL OR {_kinds(*TEXT_KINDS)}", name="word_limit_for_text"),
        CheckConstraint(
            "(min_value IS NULL AND max_value IS NULL) OR kind = 'number'",
            name="bounds_for_numbers",
        ),
        CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
            name="bounds_ordered",
        ),
        CheckConstraint(
            f"(options = '') = NOT ({_kinds(*CHOICE_KINDS)})", name="options_for_choices"
        ),
        UniqueConstraint("category_id", "label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("award_categories.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(20))
    # English required; bokmål beside it ("": the English is shown; languages.localized).
    label: Mapped[str] = mapped_column(String(300))
    label_nb: Mapped[str] = mapped_column(String(300), default="", server_default="")
    help_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    help_text_nb: Mapped[str] = mapped_column(Text, default="", server_default="")
    required: Mapped[bool] = mapped_column(default=False)
    word_limit: Mapped[int | None]
    # Choices, one a line; the English line is what an answer stores, the bokmål line at the
    # same place is what bokmål readers see.
    options: Mapped[str] = mapped_column(Text, default="", server_default="")
    options_nb: Mapped[str] = mapped_column(Text, default="", server_default="")
    min_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    whole_numbers: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[AwardCategory] = relationship()

    @property
    def option_list(self) -> list[str]:
        return [line for line in (self.options or "").split("\n") if line.strip()]

    @property
    def option_list_nb(self) -> list[str]:
        return (self.options_nb or "").split("\n") if self.options_nb else []

    def __repr__(self) -> str:
        return f"<CategoryQuestion {self.id} {self.kind} {self.label!r}>"


_ONE_VALUE = " + ".join(
    f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)"
    for column in ("text_value", "number_value", "bool_value", "choices", "attachment_id")
)


class QuestionAnswer(db.Model):
    __tablename__ = "question_answers"
    __table_args__ = (
        UniqueConstraint("nomination_id", "question_id"),
        CheckConstraint(f"{_ONE_VALUE} = 1", name="one_value"),
        CheckConstraint("text_value IS NULL OR text_value <> ''", name="text_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("category_questions.id", ondelete="CASCADE"), index=True
    )
    text_value: Mapped[str | None] = mapped_column(Text)
    number_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    bool_value: Mapped[bool | None]
    choices: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    # A file answer's document; the answer goes with it.
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), unique=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship()
    question: Mapped[CategoryQuestion] = relationship()
    attachment: Mapped[Attachment | None] = relationship()

    def __repr__(self) -> str:
        return f"<QuestionAnswer {self.nomination_id}/{self.question_id}>"
