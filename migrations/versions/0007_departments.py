"""departments: a department can be deactivated (kept for history, offered no longer)

Revision ID: 0007_departments
Revises: 0006_idempotency
Create Date: 2026-12-09 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_departments"
down_revision = "0006_idempotency"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_column("active")
