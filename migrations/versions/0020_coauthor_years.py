"""co-authorship window per round: how many years before the round's year a shared
publication makes a proposed conflict (until now one setting for every round, 5)

Revision ID: 0020_coauthor_years
Revises: 0019_history_publications
Create Date: 2026-12-01 15:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_coauthor_years"
down_revision = "0019_history_publications"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("award_rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("coauthor_years", sa.Integer(), nullable=False, server_default="5")
        )
        batch_op.create_check_constraint(
            "coauthor_years_plausible", "coauthor_years BETWEEN 1 AND 20"
        )


def downgrade():
    with op.batch_alter_table("award_rounds", schema=None) as batch_op:
        batch_op.drop_constraint("coauthor_years_plausible", type_="check")
        batch_op.drop_column("coauthor_years")
