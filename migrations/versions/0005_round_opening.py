"""round opening: a round opens only once an administrator has confirmed its announcement

Revision ID: 0005_round_opening
Revises: 0004_oidc
Create Date: 2026-12-03 10:00:00

Rounds still in draft stay unconfirmed: the scheduler holds them at their opening time and
tells the administrators, who confirm the opening on the round page.
"""

import sqlalchemy as sa
from alembic import op

from nominations.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0005_round_opening"
down_revision = "0004_oidc"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("award_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opening_confirmed_at", UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("award_rounds", schema=None) as batch_op:
        batch_op.drop_column("opening_confirmed_at")
