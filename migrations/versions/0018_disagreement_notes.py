"""disagreement notes: the chair's note on how reviewers' disagreement on a nomination was
resolved at the panel meeting (issue 19)

Revision ID: 0018_disagreement_notes
Revises: 0017_email_texts
Create Date: 2026-12-01 11:30:00

"""

import sqlalchemy as sa
from alembic import op

import nominations.models.base

# revision identifiers, used by Alembic.
revision = "0018_disagreement_notes"
down_revision = "0017_email_texts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "discussion_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", nominations.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_discussion_notes_nomination_id_nominations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_discussion_notes_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_notes")),
        sa.UniqueConstraint("nomination_id", name=op.f("uq_discussion_notes_nomination_id")),
    )


def downgrade():
    op.drop_table("discussion_notes")
