"""category questions: the questions a category asks, the answers of each nomination, and
the "answer" kind of attachment (a file question's document)

Revision ID: 0016_category_questions
Revises: 0015_referees
Create Date: 2026-12-01 11:30:00

"""

import sqlalchemy as sa
from alembic import op

from nominations.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0016_category_questions"
down_revision = "0015_referees"
branch_labels = None
depends_on = None

TEXT_KINDS = "kind IN ('short_text', 'long_text')"
CHOICE_KINDS = "kind IN ('single_choice', 'multiple_choice')"
ONE_VALUE = " + ".join(
    f"(CASE WHEN {column} IS NULL THEN 0 ELSE 1 END)"
    for column in ("text_value", "number_value", "bool_value", "choices", "attachment_id")
)


def _attachment_kinds(kinds: str) -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_attachments_kind_valid"), type_="check")
        batch_op.create_check_constraint("kind_valid", f"kind IN ({kinds})")


def upgrade():
    _attachment_kinds("'cv', 'publications', 'support_letter', 'answer'")
    op.create_table(
        "category_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("label_nb", sa.String(length=300), server_default="", nullable=False),
        sa.Column("help_text", sa.Text(), server_default="", nullable=False),
        sa.Column("help_text_nb", sa.Text(), server_default="", nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("word_limit", sa.Integer(), nullable=True),
        sa.Column("options", sa.Text(), server_default="", nullable=False),
        sa.Column("options_nb", sa.Text(), server_default="", nullable=False),
        sa.Column("min_value", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("max_value", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("whole_numbers", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', "
            "'number', 'file')",
            name=op.f("ck_category_questions_kind_valid"),
        ),
        sa.CheckConstraint(
            "word_limit IS NULL OR word_limit > 0",
            name=op.f("ck_category_questions_word_limit_positive"),
        ),
        sa.CheckConstraint(
            f"word_limit IS NULL OR {TEXT_KINDS}",
            name=op.f("ck_category_questions_word_limit_for_text"),
        ),
        sa.CheckConstraint(
            "(min_value IS NULL AND max_value IS NULL) OR kind = 'number'",
            name=op.f("ck_category_questions_bounds_for_numbers"),
        ),
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
            name=op.f("ck_category_questions_bounds_ordered"),
        ),
        sa.CheckConstraint(
            f"(options = '') = NOT ({CHOICE_KINDS})",
            name=op.f("ck_category_questions_options_for_choices"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["award_categories.id"],
            name=op.f("fk_category_questions_category_id_award_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_questions")),
        sa.UniqueConstraint(
            "category_id", "label", name=op.f("uq_category_questions_category_id_label")
        ),
    )
    with op.batch_alter_table("category_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_category_questions_category_id"), ["category_id"], unique=False
        )
    op.create_table(
        "question_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.Column("number_value", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("bool_value", sa.Boolean(), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=True),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"{ONE_VALUE} = 1", name=op.f("ck_question_answers_one_value")),
        sa.CheckConstraint(
            "text_value IS NULL OR text_value <> ''",
            name=op.f("ck_question_answers_text_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_question_answers_attachment_id_attachments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_question_answers_nomination_id_nominations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["category_questions.id"],
            name=op.f("fk_question_answers_question_id_category_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_answers")),
        sa.UniqueConstraint("attachment_id", name=op.f("uq_question_answers_attachment_id")),
        sa.UniqueConstraint(
            "nomination_id",
            "question_id",
            name=op.f("uq_question_answers_nomination_id_question_id"),
        ),
    )
    with op.batch_alter_table("question_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_answers_nomination_id"), ["nomination_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_question_answers_question_id"), ["question_id"], unique=False
        )


def downgrade():
    op.drop_table("question_answers")
    op.drop_table("category_questions")
    op.execute("DELETE FROM attachments WHERE kind = 'answer'")
    _attachment_kinds("'cv', 'publications', 'support_letter'")
