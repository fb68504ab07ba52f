"""privacy and retention: the administrators' privacy notice, and per round whether nominees
are told when the call closes and how long documents, review comments and drafts are kept

Revision ID: 0013_privacy_retention
Revises: 0012_outbox_claim
Create Date: 2026-12-01 11:30:00

"""

import sqlalchemy as sa
from alembic import op

from nominations.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0013_privacy_retention"
down_revision = "0012_outbox_claim"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_notices",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_nb", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_privacy_notices_single_row")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_privacy_notices_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notices")),
    )
    with op.batch_alter_table("award_rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("inform_nominees", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "retain_documents_months", sa.Integer(), nullable=False, server_default="12"
            )
        )
        batch_op.add_column(
            sa.Column("retain_comments_months", sa.Integer(), nullable=False, server_default="12")
        )
        batch_op.add_column(
            sa.Column("retain_drafts_days", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.create_check_constraint(
            "retain_documents_plausible", "retain_documents_months BETWEEN 1 AND 120"
        )
        batch_op.create_check_constraint(
            "retain_comments_plausible", "retain_comments_months BETWEEN 1 AND 120"
        )
        batch_op.create_check_constraint(
            "retain_drafts_plausible", "retain_drafts_days BETWEEN 1 AND 365"
        )


def downgrade():
    with op.batch_alter_table("award_rounds", schema=None) as batch_op:
        batch_op.drop_constraint("retain_drafts_plausible", type_="check")
        batch_op.drop_constraint("retain_comments_plausible", type_="check")
        batch_op.drop_constraint("retain_documents_plausible", type_="check")
        batch_op.drop_column("retain_drafts_days")
        batch_op.drop_column("retain_comments_months")
        batch_op.drop_column("retain_documents_months")
        batch_op.drop_column("inform_nominees")
    op.drop_table("privacy_notices")
