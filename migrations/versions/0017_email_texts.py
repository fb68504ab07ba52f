"""email texts: the subject and body administrators wrote for a kind of e-mail and language

Revision ID: 0017_email_texts
Revises: 0016_category_questions
Create Date: 2026-12-01 11:20:00

"""

import sqlalchemy as sa
from alembic import op

from nominations.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0017_email_texts"
down_revision = "0016_category_questions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "email_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("language IN ('en', 'nb')", name=op.f("ck_email_texts_language_valid")),
        sa.CheckConstraint("length(subject) > 0", name=op.f("ck_email_texts_subject_not_empty")),
        sa.CheckConstraint("length(body) > 0", name=op.f("ck_email_texts_body_not_empty")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_email_texts_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_texts")),
        sa.UniqueConstraint("kind", "language", name=op.f("uq_email_texts_kind_language")),
    )


def downgrade():
    op.drop_table("email_texts")
