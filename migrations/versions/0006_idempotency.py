"""idempotency: the token of the create form that made a nomination, unique per nominator

Revision ID: 0006_idempotency
Revises: 0005_round_opening
Create Date: 2026-12-09 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_idempotency"
down_revision = "0005_round_opening"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_nominations_nominator_id_idempotency_token"),
            ["nominator_id", "idempotency_token"],
        )


def downgrade():
    with op.batch_alter_table("nominations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_nominations_nominator_id_idempotency_token"), type_="unique"
        )
        batch_op.drop_column("idempotency_token")
