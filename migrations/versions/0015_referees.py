"""referees: the referees a nominator names and their letters; a category's required letters
and letter deadline

Revision ID: 0015_referees
Revises: 0013_privacy_retention
Create Date: 2026-12-01 11:30:00

"""

import sqlalchemy as sa
from alembic import op

import nominations.models.base

# revision identifiers, used by Alembic.
revision = "0015_referees"
down_revision = "0013_privacy_retention"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("award_categories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("required_letters", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("letter_days_after_close", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "required_letters_not_negative", "required_letters >= 0"
        )
        batch_op.create_check_constraint(
            "letter_days_not_negative",
            "letter_days_after_close IS NULL OR letter_days_after_close >= 0",
        )

    op.create_table(
        "referees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("relation", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("named_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", nominations.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("stored_name", sa.String(length=100), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column(
            "uploaded_at", nominations.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_referees_email_lowercase")),
        sa.CheckConstraint(
            "(stored_name IS NULL) = (sha256 IS NULL) AND (stored_name IS NULL) = "
            "(size_bytes IS NULL) AND (stored_name IS NULL) = (uploaded_at IS NULL)",
            name=op.f("ck_referees_letter_whole"),
        ),
        sa.CheckConstraint(
            "size_bytes IS NULL OR size_bytes > 0", name=op.f("ck_referees_size_positive")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_referees_nomination_id_nominations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["named_by_id"],
            ["users.id"],
            name=op.f("fk_referees_named_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referees")),
        sa.UniqueConstraint("nomination_id", "email", name=op.f("uq_referees_nomination_id_email")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_referees_stored_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_referees_token_hash")),
    )
    with op.batch_alter_table("referees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referees_nomination_id"), ["nomination_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("referees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referees_nomination_id"))
    op.drop_table("referees")
    with op.batch_alter_table("award_categories", schema=None) as batch_op:
        batch_op.drop_constraint("letter_days_not_negative", type_="check")
        batch_op.drop_constraint("required_letters_not_negative", type_="check")
        batch_op.drop_column("letter_days_after_close")
        batch_op.drop_column("required_letters")
