"""outbox claim: an index on the pending messages' due time, so the sender's claim does not
walk the years of sent mail

Revision ID: 0012_outbox_claim
Revises: 0011_ranking_version
Create Date: 2026-12-12 10:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_outbox_claim"
down_revision = "0011_ranking_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_messages_due", ["status", "next_attempt_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_due")
